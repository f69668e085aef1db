import { ALARM_TABLE } from "../../components/access/alarms";
import { describeResource } from "../../scripts/lib/describe";
import { dashboardBody } from "../../components/access/dashboard";
import { LOG_METRICS } from "../../components/access/log-metrics";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import type { RecordedResource, StackRun } from "../../scripts/lib/mock-stack";
import { HUB_ACCOUNT, ofType, one, planHub, policyOf } from "../helpers/stacks";

/** #21, operators hear first: the hub's alarms, metric filters, dashboard and on-failure queue. */
let plain: StackRun;
let emailed: StackRun;
let given: StackRun;
const GIVEN_TOPIC = `arn:aws:sns:us-east-1:${HUB_ACCOUNT}:platform-oncall`;
beforeAll(async () => {
  // Only the hub's resources are read here: the hub is planned alone.
  plain = await planHub();
  emailed = await planHub({
    "studio-access:alarms": JSON.stringify({
      email: ["oncall@example.com", "platform@example.com"],
    }),
  });
  given = await planHub({ "studio-access:alarms": JSON.stringify({ topicArn: GIVEN_TOPIC }) });
}, 180_000);

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const alarm = (run: StackRun, name: string) => one(run, ALARM, name).inputs;
const fnName = (run: StackRun, key: string) =>
  one(run, "aws:lambda/function:Function", `access-${key}`).state.name as string;
const named = (r: RecordedResource) => {
  const name = r.state.name;
  if (typeof name !== "string" || name === "") throw new Error(`${r.name} has no name`);
  return name;
};
const apiName = (run: StackRun) => named(one(run, "aws:apigateway/restApi:RestApi", "access-api"));
const queue = (run: StackRun) => one(run, "aws:sqs/queue:Queue", "access-lifecycle-failed");
const FUNCTIONS = ["authorizer", "presigner", "lifecycle", "portal"];

/** What the table says for `key`, as the alarm's inputs carry it. */
const ruled = (key: keyof typeof ALARM_TABLE) => {
  const r = ALARM_TABLE[key];
  return {
    period: r.period,
    evaluationPeriods: r.evaluationPeriods,
    datapointsToAlarm: r.datapointsToAlarm,
    comparisonOperator: r.comparison,
    treatMissingData: r.treatMissingData,
  };
};
const NOBODY = { alarmActions: [], okActions: [] };

describe("hub alarms: each alarm's metric, dimensions, statistic, threshold and period", () => {
  it("has exactly the alarms of the table: API 5xx and latency, each function's three, refusals, failed records, drain-failed", () => {
    expect(
      ofType(plain, ALARM)
        .map((r) => r.name)
        .sort(),
    ).toEqual(
      [
        "access-api-5xx",
        "access-api-latency",
        ...FUNCTIONS.flatMap((f) => [
          `access-${f}-errors`,
          `access-${f}-throttles`,
          `access-${f}-duration`,
        ]),
        "access-authorizer-refusals",
        "access-lifecycle-failed-records",
        "access-lifecycle-drain-failed",
      ].sort(),
    );
  });

  it("watches the API's 5xx rate on the stage (Average of 5XXError, ApiName and Stage)", () => {
    expect(alarm(plain, "access-api-5xx")).toEqual({
      alarmDescription: expect.stringContaining("5xx rate") as unknown,
      namespace: "AWS/ApiGateway",
      metricName: "5XXError",
      dimensions: { ApiName: apiName(plain), Stage: "v1" },
      statistic: "Average",
      threshold: 0.05,
      ...ruled("api5xx"),
      ...NOBODY,
    });
  });

  it("watches the API's p99 latency on the stage (an extended statistic, in ms)", () => {
    expect(alarm(plain, "access-api-latency")).toEqual({
      alarmDescription: expect.any(String) as unknown,
      namespace: "AWS/ApiGateway",
      metricName: "Latency",
      dimensions: { ApiName: apiName(plain), Stage: "v1" },
      extendedStatistic: "p99",
      threshold: 10_000,
      ...ruled("apiLatencyP99"),
      ...NOBODY,
    });
  });

  it.each(["presigner", "lifecycle", "portal"])(
    "watches the %s function's Errors and Throttles (Sum, FunctionName)",
    (key) => {
      for (const [suffix, metricName, rule] of [
        ["errors", "Errors", "errors"],
        ["throttles", "Throttles", "throttles"],
      ] as const)
        expect(alarm(plain, `access-${key}-${suffix}`)).toEqual({
          alarmDescription: expect.any(String) as unknown,
          namespace: "AWS/Lambda",
          metricName,
          dimensions: { FunctionName: fnName(plain, key) },
          statistic: "Sum",
          threshold: 1,
          ...ruled(rule),
          ...NOBODY,
        });
    },
  );

  it.each([
    ["authorizer", 10],
    ["presigner", 27],
    ["lifecycle", 300],
    ["portal", 5],
  ])("watches the %s function's p99 Duration above 80%% of its %i s timeout", (key, timeout) => {
    expect(alarm(plain, `access-${key}-duration`)).toEqual({
      alarmDescription: expect.any(String) as unknown,
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimensions: { FunctionName: fnName(plain, key) },
      extendedStatistic: "p99",
      threshold: timeout * 1000 * 0.8,
      ...ruled("duration"),
      ...NOBODY,
    });
  });

  it("counts the authorizer's errors less its refusals (a refusal is a thrown Unauthorized, which Lambda counts)", () => {
    const inputs = alarm(plain, "access-authorizer-errors");
    const { period, ...rest } = ruled("errors");
    expect(inputs).toEqual({
      alarmDescription: expect.stringContaining("refusals excluded") as unknown,
      threshold: 1,
      ...rest,
      ...NOBODY,
      metricQueries: [
        {
          id: "errors",
          metric: {
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: fnName(plain, "authorizer") },
            period,
            stat: "Sum",
          },
          returnData: false,
        },
        {
          id: "refusals",
          metric: {
            namespace: "StudioAccess",
            metricName: "AuthorizerRefusals",
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
    });
  });

  it("watches the authorizer's refusals spiking (30 in 5 minutes), from its logs", () => {
    expect(alarm(plain, "access-authorizer-refusals")).toEqual({
      alarmDescription: expect.any(String) as unknown,
      namespace: "StudioAccess",
      metricName: "AuthorizerRefusals",
      statistic: "Sum",
      threshold: 30,
      ...ruled("refusalsSpike"),
      ...NOBODY,
    });
  });

  it("watches the on-failure queue: any visible message (Maximum > 0, QueueName)", () => {
    expect(alarm(plain, "access-lifecycle-failed-records")).toEqual({
      alarmDescription: expect.any(String) as unknown,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: named(queue(plain)) },
      statistic: "Maximum",
      threshold: 0,
      ...ruled("failedRecords"),
      ...NOBODY,
    });
  });

  it("watches rows left drain-failed (any, from the lifecycle's logs)", () => {
    expect(alarm(plain, "access-lifecycle-drain-failed")).toEqual({
      alarmDescription: expect.any(String) as unknown,
      namespace: "StudioAccess",
      metricName: "DrainFailed",
      statistic: "Sum",
      threshold: 1,
      ...ruled("drainFailed"),
      ...NOBODY,
    });
  });

  it("watches the SAML entry's function too when there is one", async () => {
    const { TestIdp } = await import("../../scripts/sandbox/saml-idp");
    const idp = await TestIdp.create();
    const shared = await planHub({
      "studio-access:saml": JSON.stringify({
        idpCertificates: [idp.certificate],
        idpEntityId: idp.entityId,
        userAttribute: "email",
        groupsAttribute: "groups",
        groupLobs: { "lob-b-scientists": ["lob-b"] },
      }),
    });
    for (const suffix of ["errors", "throttles", "duration"])
      expect(alarm(shared, `access-saml-${suffix}`).dimensions).toEqual({
        FunctionName: fnName(shared, "saml"),
      });
  }, 120_000);
});

describe("hub alarms: who is notified", () => {
  it("with no alarms config, nobody: no topic, no actions, and the plan says so", () => {
    expect(ofType(plain, "aws:sns/topic:Topic")).toEqual([]);
    for (const r of ofType(plain, ALARM)) expect(r.inputs).toMatchObject(NOBODY);
  });

  it("with email, a topic encrypted with the hub's data key, one email subscription per address, on ALARM and OK", () => {
    const topic = one(emailed, "aws:sns/topic:Topic", "access-alarms");
    const key = one(emailed, "aws:kms/key:Key", "access-data");
    expect(topic.inputs.kmsMasterKeyId).toBe(key.state.arn);
    expect(
      ofType(emailed, "aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs),
    ).toEqual([
      { topic: topic.state.arn, protocol: "email", endpoint: "oncall@example.com" },
      { topic: topic.state.arn, protocol: "email", endpoint: "platform@example.com" },
    ]);
    for (const r of ofType(emailed, ALARM))
      expect(r.inputs).toMatchObject({
        alarmActions: [topic.state.arn],
        okActions: [topic.state.arn],
      });
  });

  it("lets only this account's CloudWatch alarms publish, over TLS only (the topic policy, exactly)", () => {
    const topic = one(emailed, "aws:sns/topic:Topic", "access-alarms");
    const policy = one(emailed, "aws:sns/topicPolicy:TopicPolicy", "access-alarms");
    expect(policy.inputs.arn).toBe(topic.state.arn);
    expect(policyOf(policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CloudWatchAlarmsOfThisAccount",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topic.state.arn,
          Condition: {
            StringEquals: { "aws:SourceAccount": HUB_ACCOUNT },
            ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${HUB_ACCOUNT}:alarm:*` },
          },
        },
        {
          Sid: "TlsOnly",
          Effect: "Deny",
          Principal: "*",
          Action: "sns:*",
          Resource: topic.state.arn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("lets CloudWatch use the data key for this account's alarms only when the hub makes a topic", () => {
    const statement = {
      Sid: "CloudWatchAlarmsToTheAlarmTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": HUB_ACCOUNT },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${HUB_ACCOUNT}:alarm:*` },
      },
    };
    const statements = (run: StackRun) =>
      (policyOf(one(run, "aws:kms/key:Key", "access-data")) as { Statement: unknown[] }).Statement;
    expect(statements(emailed)).toContainEqual(statement);
    expect(statements(emailed)).toHaveLength(statements(plain).length + 1);
    expect(statements(plain)).not.toContainEqual(statement);
    expect(statements(given)).toEqual(statements(plain));
  });

  it("with topicArn, that topic and no topic of its own", () => {
    expect(ofType(given, "aws:sns/topic:Topic")).toEqual([]);
    for (const r of ofType(given, ALARM))
      expect(r.inputs).toMatchObject({ alarmActions: [GIVEN_TOPIC], okActions: [GIVEN_TOPIC] });
  });

  it("the plan names the topic it makes, like the other topics, with its key", () => {
    const topic = one(emailed, "aws:sns/topic:Topic", "access-alarms");
    const key = one(emailed, "aws:kms/key:Key", "access-data");
    expect(describeResource(topic)).toBe(
      `${named(topic)}, encrypted with ${String(key.state.arn)}`,
    );
    expect(named(topic)).toMatch(/^access-alarms-/);
  });
});

describe("the lifecycle's on-failure queue", () => {
  it("is SSE-SQS encrypted and keeps a message 14 days", () => {
    expect(queue(plain).inputs).toEqual({
      messageRetentionSeconds: 1_209_600,
      sqsManagedSseEnabled: true,
    });
  });

  it("the lifecycle role may send to it and to nothing else of SQS (exact IAM JSON), before the mapping is made", () => {
    const policy = one(plain, "aws:iam/rolePolicy:RolePolicy", "access-lifecycle-failed");
    expect(policy.inputs.role).toBe(
      one(plain, "aws:iam/role:Role", "access-lifecycle").state.id ??
        one(plain, "aws:iam/role:Role", "access-lifecycle").id,
    );
    expect(policyOf(policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "SendFailedRecords",
          Effect: "Allow",
          Action: "sqs:SendMessage",
          Resource: queue(plain).state.arn,
        },
      ],
    });
    const mapping = one(
      plain,
      "aws:lambda/eventSourceMapping:EventSourceMapping",
      "access-lifecycle",
    );
    expect(mapping.dependencies).toContain(
      "aws:iam/rolePolicy:RolePolicy::access-lifecycle-failed",
    );
  });
});

describe("metric filters on the functions' structured logs", () => {
  const filter = (name: string) =>
    one(plain, "aws:cloudwatch/logMetricFilter:LogMetricFilter", name).inputs;
  const logGroup = (key: string) =>
    one(plain, "aws:cloudwatch/logGroup:LogGroup", `access-${key}`).state.name;

  it("counts refusals, refusals by reason (a dimension), first sign-ins, offboardings and drain-failed", () => {
    expect(filter("access-refusals")).toEqual({
      logGroupName: logGroup("authorizer"),
      pattern: '{ $.message = "denied" }',
      metricTransformation: {
        name: "AuthorizerRefusals",
        namespace: "StudioAccess",
        value: "1",
        unit: "Count",
        defaultValue: "0",
      },
    });
    expect(filter("access-refusalsByReason")).toEqual({
      logGroupName: logGroup("authorizer"),
      pattern: '{ $.message = "denied" }',
      metricTransformation: {
        name: "RefusalsByReason",
        namespace: "StudioAccess",
        value: "1",
        unit: "Count",
        dimensions: { Reason: "$.reason" },
      },
    });
    expect(filter("access-firstSignIns")).toMatchObject({
      logGroupName: logGroup("presigner"),
      pattern: '{ $.message = "request" && $.firstSignIn IS TRUE }',
    });
    expect(filter("access-offboardings")).toMatchObject({
      logGroupName: logGroup("lifecycle"),
      pattern: '{ $.message = "offboard" && $.outcome = "offboarded" }',
    });
    expect(filter("access-drainFailed")).toMatchObject({
      logGroupName: logGroup("lifecycle"),
      pattern:
        '{ $.message = "offboard" && $.removed IS FALSE && ($.outcome = "failed" || $.outcome = "refused") }',
    });
  });

  it("each pattern selects the log lines the functions write (a JSON-pattern reading of these five)", () => {
    // The functions' lines, as functions/shared/log.ts writes them.
    const lines: Record<string, Record<string, unknown>> = {
      denied: { level: "warn", message: "denied", outcome: "deny", reason: "token expired" },
      allowed: { level: "info", message: "authorized", outcome: "allow" },
      first: { message: "request", firstSignIn: true, status: 302 },
      again: { message: "request", status: 302 },
      offboarded: { message: "offboard", outcome: "offboarded", removed: false },
      failed: { message: "offboard", outcome: "failed", removed: false },
      refused: { message: "offboard", outcome: "refused", removed: false },
      removedFailed: { message: "offboard", outcome: "failed", removed: true },
    };
    const selects = (pattern: string) =>
      Object.entries(lines)
        .filter(([, line]) => matchesJsonPattern(pattern, line))
        .map(([name]) => name);
    expect(selects(LOG_METRICS.refusals.pattern)).toEqual(["denied"]);
    expect(selects(LOG_METRICS.firstSignIns.pattern)).toEqual(["first"]);
    expect(selects(LOG_METRICS.offboardings.pattern)).toEqual(["offboarded"]);
    expect(selects(LOG_METRICS.drainFailed.pattern)).toEqual(["failed", "refused"]);
  });
});

/**
 * The subset of CloudWatch Logs' JSON filter syntax these patterns use: `$.field = "text"`,
 * `$.field IS TRUE|FALSE`, `&&`, `||` and parentheses.
 */
function matchesJsonPattern(pattern: string, line: Record<string, unknown>): boolean {
  const tokens = pattern
    .replace(/^\{\s*|\s*\}$/g, "")
    .match(/\(|\)|&&|\|\||\$\.\w+\s*(?:=\s*"[^"]*"|IS\s+(?:TRUE|FALSE))/g);
  if (!tokens) throw new Error(`cannot read ${pattern}`);
  let at = 0;
  const term = (): boolean => {
    const token = tokens[at++]!;
    if (token === "(") {
      const value = or();
      at++; // ")"
      return value;
    }
    const [, field, rest] = /^\$\.(\w+)\s*(.*)$/.exec(token)!;
    const value = line[field!];
    if (rest!.startsWith("IS")) return value === rest!.endsWith("TRUE");
    return value === /"([^"]*)"/.exec(rest!)![1];
  };
  const and = (): boolean => {
    let value = term();
    while (tokens[at] === "&&") {
      at++;
      value = term() && value;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (tokens[at] === "||") {
      at++;
      value = and() || value;
    }
    return value;
  };
  return or();
}

describe("the hub's outputs an operator reads", () => {
  it("name the dashboard and the on-failure queue's URL, and the topic when the hub has one", () => {
    const dashboard = one(plain, "aws:cloudwatch/dashboard:Dashboard", "access-hub");
    expect(plain.outputs.dashboardName).toBe(dashboard.inputs.dashboardName);
    expect(plain.outputs.dashboardName).toBe("studio-access-shared");
    expect(plain.outputs.failedRecordsQueueUrl).toBe(queue(plain).state.url);
    expect(String(plain.outputs.failedRecordsQueueUrl)).toMatch(
      new RegExp(`^https://sqs\\.us-east-1\\.amazonaws\\.com/${HUB_ACCOUNT}/`),
    );
    expect(plain.outputs).not.toHaveProperty("alarmTopicArn");
    expect(emailed.outputs.alarmTopicArn).toBe(
      one(emailed, "aws:sns/topic:Topic", "access-alarms").state.arn,
    );
    expect(given.outputs.alarmTopicArn).toBe(GIVEN_TOPIC);
  });
});

describe("the hub's dashboard", () => {
  it("is one dashboard whose widgets reference the API, functions, queue and alarms that exist", () => {
    const [dashboard] = ofType(plain, "aws:cloudwatch/dashboard:Dashboard") as [RecordedResource];
    expect(ofType(plain, "aws:cloudwatch/dashboard:Dashboard")).toHaveLength(1);
    const body = JSON.parse(dashboard.inputs.dashboardBody as string) as ReturnType<
      typeof dashboardBody
    >;
    const alarmArns = ofType(plain, ALARM).map((r) => r.state.arn);
    const alarmWidget = body.widgets.find((w) => w.type === "alarm")!;
    expect([...(alarmWidget.properties.alarms as string[])].sort()).toEqual([...alarmArns].sort());
    const lines = body.widgets
      .filter((w) => w.type === "metric")
      .flatMap((w) => w.properties.metrics as unknown[][]);
    const dimensionValues = (name: string) =>
      lines.flatMap((line) => {
        const i = line.indexOf(name);
        return i >= 0 && typeof line[i + 1] === "string" ? [line[i + 1]] : [];
      });
    expect(new Set(dimensionValues("ApiName"))).toEqual(new Set([apiName(plain)]));
    expect(new Set(dimensionValues("Stage"))).toEqual(new Set(["v1"]));
    expect(new Set(dimensionValues("FunctionName"))).toEqual(
      new Set(FUNCTIONS.map((f) => fnName(plain, f))),
    );
    expect(new Set(dimensionValues("QueueName"))).toEqual(new Set([named(queue(plain))]));
    // Every metric drawn from the logs is one a filter makes.
    const filtered = new Set(
      ofType(plain, "aws:cloudwatch/logMetricFilter:LogMetricFilter").map(
        (f) => (f.inputs.metricTransformation as { name: string }).name,
      ),
    );
    for (const line of lines) if (line[0] === "StudioAccess") expect(filtered).toContain(line[1]);
    // Widgets do not overlap on the 24-column grid.
    const cells = new Set<string>();
    for (const w of body.widgets)
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
  });
});

describe("alarms config refusals", () => {
  const AWS = { region: "us-east-1" };
  const shared: Record<string, string> = {
    kind: "shared",
    hubAccountId: HUB_ACCOUNT,
    organizationId: "o-exampleorg1",
    hubVpcCidr: "10.0.0.0/16",
    lobs: JSON.stringify({
      "lob-a": {
        accountId: "222222222222",
        vpcCidr: "10.1.0.0/16",
        deployer: "arn:aws:iam::222222222222:role/deployer",
      },
    }),
  };
  const withAlarms = (alarms: unknown, extra: Record<string, string> = {}) => ({
    ...shared,
    ...extra,
    alarms: JSON.stringify(alarms),
  });
  function refusal(values: Record<string, string>): readonly string[] {
    try {
      parseStackConfig(values, AWS);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error("the config was accepted");
  }
  const accepted = (alarms: unknown) => {
    const config = parseStackConfig(withAlarms(alarms), AWS);
    return config.kind === "shared" ? config.alarms : undefined;
  };

  it("takes one address or a list, or a topic ARN, or nothing", () => {
    expect(accepted({ email: "oncall@example.com" })).toEqual({ emails: ["oncall@example.com"] });
    expect(accepted({ email: ["a@example.com", "b@example.com"] })).toEqual({
      emails: ["a@example.com", "b@example.com"],
    });
    expect(accepted({ topicArn: GIVEN_TOPIC })).toEqual({ emails: [], topicArn: GIVEN_TOPIC });
    const none = parseStackConfig(shared, AWS);
    expect(none.kind === "shared" && "alarms" in none).toBe(false);
  });

  it.each([
    [
      { email: "not-an-address" },
      'studio-access:alarms.email is "not-an-address": expected an email address',
    ],
    [{ emails: ["a@example.com"] }, "studio-access:alarms.emails"],
    [
      { email: ["a@example.com", "A@example.com"] },
      'studio-access:alarms.email[1] is "A@example.com": expected an address not already listed',
    ],
    [
      { email: "a@example.com", topicArn: GIVEN_TOPIC },
      "expected either email (a topic the hub makes) or topicArn",
    ],
    [{ topicArn: `arn:aws:sqs:us-east-1:${HUB_ACCOUNT}:q` }, 'the service is "sqs", not sns'],
    [
      { topicArn: `arn:aws:sns:us-east-1:${HUB_ACCOUNT}:oncall.fifo` },
      "expected a standard SNS topic",
    ],
    [
      { topicArn: "arn:aws:sns:us-east-1:12345:oncall" },
      'expected an SNS topic ARN whose account is 12 digits ("12345")',
    ],
    [
      { topicArn: `arn:aws:sns:eu-west-1:${HUB_ACCOUNT}:oncall` },
      "expected a topic in the hub's region us-east-1 (this one's region is eu-west-1)",
    ],
    [
      { topicArn: `arn:aws-cn:sns:us-east-1:${HUB_ACCOUNT}:oncall` },
      "expected a topic in the hub's partition aws (this one's partition is aws-cn)",
    ],
    [
      { topicArn: "arn:aws:sns:us-east-1:999999999999:oncall" },
      "expected a topic in the hub account 111111111111 (this one's account is 999999999999)",
    ],
  ])("refuses %j, naming what is wrong", (alarms, message) => {
    const problems = refusal(withAlarms(alarms));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("refuses email without the data key: CloudWatch cannot publish under alias/aws/sns", () => {
    expect(
      refusal(withAlarms({ email: "a@example.com" }, { customerManagedKey: "false" })),
    ).toEqual([
      'studio-access:alarms.email is "a@example.com": expected customerManagedKey: true as well: the topic is encrypted with the hub\'s data key, whose policy lets CloudWatch publish; CloudWatch cannot publish to a topic under the AWS managed key alias/aws/sns, whose policy no one can change',
    ]);
  });
});
