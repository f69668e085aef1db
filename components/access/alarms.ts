import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BundledFunction } from "../lib/bundled-function";
import type { AccessScope } from "./scope";
import { LOG_METRICS, LOG_METRICS_NAMESPACE } from "./log-metrics";

type Missing = "notBreaching" | "breaching" | "ignore" | "missing";

/** One row of the alarm table: what is watched, how, and why these numbers. */
export interface AlarmRule {
  readonly statistic: string;
  /** Seconds per datapoint. */
  readonly period: number;
  /** M of N: datapointsToAlarm of evaluationPeriods breaching datapoints raise the alarm. */
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
  /** The threshold; for `duration`, the fraction of the function's timeout. */
  readonly threshold: number;
  readonly treatMissingData: Missing;
  readonly why: string;
}

/**
 * The hub's alarms, thresholds and periods, each justified (docs/functions.md repeats this table).
 * Metrics: API Gateway's per stage, dimensions ApiName and Stage ("Amazon API Gateway dimensions
 * and metrics", https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html:
 * 5XXError's Average is the error rate, Latency in ms); Lambda's per function, dimension
 * FunctionName ("Types of metrics for Lambda functions",
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html); SQS's per queue,
 * dimension QueueName ("Available CloudWatch metrics for Amazon SQS",
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).
 * Missing data: a metric with no datapoint means nothing happened (no request, no invocation, no
 * log line), so notBreaching everywhere; AWS/Lambda and AWS/ApiGateway publish nothing for an idle
 * minute, and SQS stops publishing for a queue idle six hours ("a queue is active if it contains
 * messages", same SQS page: a queue holding a failed record keeps publishing).
 */
export const ALARM_TABLE = {
  api5xx: {
    statistic: "Average",
    period: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparison: "GreaterThanThreshold",
    threshold: 0.05,
    treatMissingData: "notBreaching",
    why: "more than 5% of requests answered 5xx in two of three 5-minute periods: a broken dependency (Cognito, DynamoDB, a LOB's role), not one user's unlucky retry",
  },
  apiLatencyP99: {
    statistic: "p99",
    period: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    comparison: "GreaterThanThreshold",
    threshold: 10_000,
    treatMissingData: "notBreaching",
    why: "p99 above 10 s for 15 minutes: a sign-in normally answers within 2 s, a first sign-in (a profile to create) within the presigner's 27 s; 10 s sustained means users wait at every sign-in",
  },
  errors: {
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    treatMissingData: "notBreaching",
    why: "any function error in 5 minutes: the functions answer refusals and upstream failures themselves, so an Errors datapoint is a crash, a timeout or a cold start that failed (the authorizer's refusals, which Lambda counts as errors, are subtracted)",
  },
  throttles: {
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    treatMissingData: "notBreaching",
    why: "any throttle: the account's concurrency is shared with every other function in it, and a throttled authorizer or presigner is a refused sign-in",
  },
  duration: {
    statistic: "p99",
    period: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparison: "GreaterThanThreshold",
    threshold: 0.8,
    treatMissingData: "notBreaching",
    why: "p99 above 80% of the function's timeout in two of three 5-minute periods: the next slow call times out",
  },
  refusalsSpike: {
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 30,
    treatMissingData: "notBreaching",
    why: "30 refused tokens in 5 minutes: a few expired tokens an hour are normal (the CLI and portal refresh them), 30 is a client stuck in a loop, a pool's keys rotated under the authorizer, or someone guessing",
  },
  failedRecords: {
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    comparison: "GreaterThanThreshold",
    threshold: 0,
    treatMissingData: "notBreaching",
    why: "any message in the lifecycle's on-failure queue: an offboarding Lambda gave up on after its retries; the user may keep Studio until an operator acts",
  },
  drainFailed: {
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    treatMissingData: "notBreaching",
    why: "any row set drain-failed: a revoked user's apps or profile still stand; a retry may clear it, a refused one (a profile not theirs) never will",
  },
} as const satisfies Record<string, AlarmRule>;

export type AlarmKey = keyof typeof ALARM_TABLE;

/** A hub function the alarms watch: its key in alarm names, and the function. */
export interface WatchedFunction {
  readonly key: string;
  readonly fn: BundledFunction;
}

export interface HubAlarmsArgs {
  readonly apiName: pulumi.Input<string>;
  readonly stageName: pulumi.Input<string>;
  readonly functions: readonly WatchedFunction[];
  readonly failedRecordsQueueName: pulumi.Input<string>;
  /** The SNS topic alarm and OK transitions go to; undefined, nobody is notified. */
  readonly topicArn?: pulumi.Input<string>;
}

const rule = (key: AlarmKey) => {
  const r: AlarmRule = ALARM_TABLE[key];
  return {
    period: r.period,
    evaluationPeriods: r.evaluationPeriods,
    datapointsToAlarm: r.datapointsToAlarm,
    comparisonOperator: r.comparison,
    treatMissingData: r.treatMissingData,
  };
};

/** `statistic` as MetricAlarm takes it: a percentile goes in extendedStatistic. */
const statisticOf = (s: string) => (/^p\d/.test(s) ? { extendedStatistic: s } : { statistic: s });

/**
 * The hub's CloudWatch alarms (ALARM_TABLE): the API's 5xx rate and p99 latency on the stage; each
 * function's errors, throttles and p99 duration near its timeout; the authorizer's refusals
 * spiking; the lifecycle's failed records in the on-failure queue; rows left drain-failed. Each
 * notifies the topic on ALARM and on OK when there is one.
 */
export class HubAlarms {
  readonly alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};

  constructor(scope: AccessScope, args: HubAlarmsArgs) {
    const actions = args.topicArn
      ? { alarmActions: [args.topicArn], okActions: [args.topicArn] }
      : { alarmActions: [], okActions: [] };
    const alarm = (
      id: string,
      key: AlarmKey,
      description: string,
      inputs: Partial<aws.cloudwatch.MetricAlarmArgs>,
    ) => {
      this.alarms[id] = new aws.cloudwatch.MetricAlarm(
        `${scope.name}-${id}`,
        {
          alarmDescription: `studio-access: ${description}. ${ALARM_TABLE[key].why}. Runbook: the README's alarm table, ${id}.`,
          ...rule(key),
          threshold: ALARM_TABLE[key].threshold,
          ...actions,
          ...inputs,
        },
        { parent: scope.parent },
      );
    };
    const api = { ApiName: args.apiName, Stage: args.stageName };
    alarm("api-5xx", "api5xx", "the API's 5xx rate", {
      namespace: "AWS/ApiGateway",
      metricName: "5XXError",
      dimensions: api,
      ...statisticOf(ALARM_TABLE.api5xx.statistic),
    });
    alarm("api-latency", "apiLatencyP99", "the API's p99 latency (ms)", {
      namespace: "AWS/ApiGateway",
      metricName: "Latency",
      dimensions: api,
      ...statisticOf(ALARM_TABLE.apiLatencyP99.statistic),
    });
    for (const { key, fn } of args.functions) {
      const dimensions = { FunctionName: fn.function.name };
      const lambda = (metricName: string, statistic: string) => ({
        namespace: "AWS/Lambda",
        metricName,
        dimensions,
        ...statisticOf(statistic),
      });
      if (key === "authorizer") {
        // The authorizer refuses a token by throwing "Unauthorized" (API Gateway's contract for a
        // 401), which Lambda counts in Errors: its crashes are Errors less its logged refusals.
        const { period } = ALARM_TABLE.errors;
        alarm(`${key}-errors`, "errors", `the ${key} function's errors (refusals excluded)`, {
          metricQueries: [
            {
              id: "errors",
              metric: {
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions,
                period,
                stat: "Sum",
              },
              returnData: false,
            },
            {
              id: "refusals",
              metric: {
                namespace: LOG_METRICS_NAMESPACE,
                metricName: LOG_METRICS.refusals.metric,
                period,
                stat: "Sum",
              },
              returnData: false,
            },
            {
              id: "crashes",
              expression: "FILL(errors, 0) - FILL(refusals, 0)",
              label: "authorizer errors that are not refusals",
              returnData: true,
            },
          ],
          period: undefined,
        });
      } else {
        alarm(`${key}-errors`, "errors", `the ${key} function's errors`, lambda("Errors", "Sum"));
      }
      alarm(
        `${key}-throttles`,
        "throttles",
        `the ${key} function's throttles`,
        lambda("Throttles", "Sum"),
      );
      alarm(`${key}-duration`, "duration", `the ${key} function's p99 duration near its timeout`, {
        ...lambda("Duration", ALARM_TABLE.duration.statistic),
        // Duration is in milliseconds, the timeout in seconds.
        threshold: fn.function.timeout.apply(
          (seconds) => (seconds ?? 3) * 1000 * ALARM_TABLE.duration.threshold,
        ),
      });
    }
    alarm("authorizer-refusals", "refusalsSpike", "the authorizer's refusals spiking", {
      namespace: LOG_METRICS_NAMESPACE,
      metricName: LOG_METRICS.refusals.metric,
      ...statisticOf(ALARM_TABLE.refusalsSpike.statistic),
    });
    alarm("lifecycle-failed-records", "failedRecords", "offboardings Lambda gave up on", {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: args.failedRecordsQueueName },
      ...statisticOf(ALARM_TABLE.failedRecords.statistic),
    });
    alarm("lifecycle-drain-failed", "drainFailed", "rows left drain-failed", {
      namespace: LOG_METRICS_NAMESPACE,
      metricName: LOG_METRICS.drainFailed.metric,
      ...statisticOf(ALARM_TABLE.drainFailed.statistic),
    });
  }
}
