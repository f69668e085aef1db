import * as aws from "@pulumi/aws";
import type { BundledFunction } from "../lib/bundled-function";
import type { AccessScope } from "./scope";

/** The namespace of the metrics the hub's functions' logs give. */
export const LOG_METRICS_NAMESPACE = "StudioAccess";

/**
 * The metrics drawn from the functions' structured logs (one JSON object a line, functions/shared/
 * log.ts), each a metric filter on one function's log group: CloudWatch Logs' JSON filter
 * patterns ("Filter pattern syntax for metric filters",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntaxForMetricFilters.html).
 */
export const LOG_METRICS = {
  /** Every token the authorizer refused (functions/authorizer: "denied"). */
  refusals: {
    fn: "authorizer",
    metric: "AuthorizerRefusals",
    pattern: '{ $.message = "denied" }',
  },
  /**
   * The same, by the refusal's reason (a dimension): "missing Authorization header", "token
   * expired"... The reasons are a fixed set mapped in functions/shared/access-token.ts, never the
   * token's text, so the dimension's values stay few.
   */
  refusalsByReason: {
    fn: "authorizer",
    metric: "RefusalsByReason",
    pattern: '{ $.message = "denied" }',
    dimensions: { Reason: "$.reason" },
  },
  /** A user's first sign-in to a team: the presigner created their profile. */
  firstSignIns: {
    fn: "presigner",
    metric: "FirstSignIns",
    pattern: '{ $.message = "request" && $.firstSignIn IS TRUE }',
  },
  /** An entitlement offboarded: apps and spaces drained, profile deleted. */
  offboardings: {
    fn: "lifecycle",
    metric: "Offboardings",
    pattern: '{ $.message = "offboard" && $.outcome = "offboarded" }',
  },
  /**
   * An offboarding that stopped half-way and left its row `drain-failed` (a revoked row: a removed
   * one has no row to mark): failed (retried) or refused (a profile not the user's: not retried).
   */
  drainFailed: {
    fn: "lifecycle",
    metric: "DrainFailed",
    pattern:
      '{ $.message = "offboard" && $.removed IS FALSE && ($.outcome = "failed" || $.outcome = "refused") }',
  },
} as const satisfies Record<
  string,
  {
    fn: "authorizer" | "presigner" | "lifecycle";
    metric: string;
    pattern: string;
    dimensions?: Record<string, string>;
  }
>;

export type LogMetricKey = keyof typeof LOG_METRICS;

/** The metric filters of LOG_METRICS on the functions' log groups. */
export class LogMetrics {
  readonly filters: Record<LogMetricKey, aws.cloudwatch.LogMetricFilter>;

  constructor(
    scope: AccessScope,
    functions: Readonly<Record<"authorizer" | "presigner" | "lifecycle", BundledFunction>>,
  ) {
    const filter = (key: LogMetricKey) => {
      const m = LOG_METRICS[key];
      const dimensions = "dimensions" in m ? m.dimensions : undefined;
      return new aws.cloudwatch.LogMetricFilter(
        `${scope.name}-${key}`,
        {
          logGroupName: functions[m.fn].logGroup.name,
          pattern: m.pattern,
          metricTransformation: {
            name: m.metric,
            namespace: LOG_METRICS_NAMESPACE,
            value: "1",
            unit: "Count",
            // A filter with dimensions takes no default value (PutMetricFilter, MetricTransformation).
            ...(dimensions ? { dimensions } : { defaultValue: "0" }),
          },
        },
        { parent: scope.parent },
      );
    };
    this.filters = {
      refusals: filter("refusals"),
      refusalsByReason: filter("refusalsByReason"),
      firstSignIns: filter("firstSignIns"),
      offboardings: filter("offboardings"),
      drainFailed: filter("drainFailed"),
    };
  }
}
