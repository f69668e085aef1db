import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { HubAlarms } from "./alarms";
import { LOG_METRICS, LOG_METRICS_NAMESPACE } from "./log-metrics";
import type { AccessScope } from "./scope";

export interface HubDashboardArgs {
  readonly region: string;
  readonly apiName: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  /** Function key → function name. */
  readonly functionNames: Readonly<Record<string, pulumi.Input<string>>>;
  readonly failedRecordsQueueName: pulumi.Input<string>;
  readonly alarms: HubAlarms;
}

/** One metric widget: a row's third (8 of 24 columns), 6 high. */
interface Widget {
  readonly type: "metric" | "alarm";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

/** A metric line: namespace, name, then dimension name and value pairs (the body's array form). */
type MetricLine = (string | Record<string, unknown>)[];

/**
 * The dashboard body: its widgets laid out three to a row ("Dashboard Body Structure and Syntax",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
 */
export function dashboardBody(args: {
  region: string;
  apiName: string;
  stageName: string;
  functionNames: Readonly<Record<string, string>>;
  queueName: string;
  alarmArns: readonly string[];
}): { widgets: Widget[] } {
  const metric = (
    title: string,
    metrics: MetricLine[],
    stat: string,
    extra: Record<string, unknown> = {},
  ) => ({ title, metrics, stat, period: 300, region: args.region, view: "timeSeries", ...extra });
  const api = ["ApiName", args.apiName, "Stage", args.stageName];
  const fns = Object.entries(args.functionNames);
  const perFunction = (name: string): MetricLine[] =>
    fns.map(([key, fn]) => ["AWS/Lambda", name, "FunctionName", fn, { label: key }]);
  const panels = [
    metric("API requests", [["AWS/ApiGateway", "Count", ...api]], "Sum"),
    metric(
      "API errors (rate)",
      [
        ["AWS/ApiGateway", "5XXError", ...api],
        ["AWS/ApiGateway", "4XXError", ...api],
      ],
      "Average",
    ),
    metric("API latency p99 (ms)", [["AWS/ApiGateway", "Latency", ...api]], "p99"),
    metric("Function errors", perFunction("Errors"), "Sum"),
    metric("Function throttles", perFunction("Throttles"), "Sum"),
    metric("Function duration p99 (ms)", perFunction("Duration"), "p99"),
    metric(
      "Refusals by reason",
      [
        [
          {
            expression: `SEARCH('{${LOG_METRICS_NAMESPACE},Reason} MetricName="${LOG_METRICS.refusalsByReason.metric}"', 'Sum', 300)`,
            id: "reasons",
          },
        ],
      ],
      "Sum",
    ),
    metric(
      "Sign-ins and offboardings",
      [
        [LOG_METRICS_NAMESPACE, LOG_METRICS.firstSignIns.metric],
        [LOG_METRICS_NAMESPACE, LOG_METRICS.offboardings.metric],
        [LOG_METRICS_NAMESPACE, LOG_METRICS.drainFailed.metric],
      ],
      "Sum",
    ),
    metric(
      "Lifecycle failed records (queue)",
      [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", args.queueName]],
      "Maximum",
    ),
  ];
  const widgets: Widget[] = [
    {
      type: "alarm",
      x: 0,
      y: 0,
      width: 24,
      height: 4,
      properties: { title: "Alarms", alarms: [...args.alarmArns] },
    },
    ...panels.map((properties, i) => ({
      type: "metric" as const,
      x: (i % 3) * 8,
      y: 4 + Math.floor(i / 3) * 6,
      width: 8,
      height: 6,
      properties,
    })),
  ];
  return { widgets };
}

/** One CloudWatch dashboard for the hub: API, functions, refusals, lifecycle, queue, alarms. */
export class HubDashboard {
  readonly dashboard: aws.cloudwatch.Dashboard;

  constructor(scope: AccessScope, args: HubDashboardArgs) {
    const alarms = Object.values(args.alarms.alarms);
    const body = pulumi
      .all([
        args.apiName,
        args.stageName,
        pulumi.all(args.functionNames),
        args.failedRecordsQueueName,
        pulumi.all(alarms.map((a) => a.arn)),
      ])
      .apply(([apiName, stageName, functionNames, queueName, alarmArns]) =>
        JSON.stringify(
          dashboardBody({
            region: args.region,
            apiName,
            stageName,
            functionNames,
            queueName,
            alarmArns,
          }),
        ),
      );
    this.dashboard = new aws.cloudwatch.Dashboard(
      `${scope.name}-hub`,
      { dashboardName: `studio-access-${pulumi.getStack()}`, dashboardBody: body },
      { parent: scope.parent },
    );
  }
}
