import { z } from "zod";
import { ACCOUNT_ID, refuse, strict, writtenAs, type Problems } from "./common";
import { partitionOf } from "./api-domain";

/**
 * Who hears the hub's alarms (`alarms`): email addresses, for which the hub makes an encrypted SNS
 * topic and subscribes them, or the ARN of a topic the operators already have. Neither: the
 * alarms exist all the same (console, dashboard) and notify nobody, as the plan says.
 */
export interface AlarmsConfig {
  /** Addresses subscribed to the topic the hub makes (each confirms by email). */
  readonly emails: readonly string[];
  /** A topic of the operators' own, in the hub's partition, region and account. */
  readonly topicArn?: string;
}

const EXPECTED = "{email: <address or list of addresses>} or {topicArn: <SNS topic ARN>}";
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TOPIC_SHAPE = "arn:<partition>:sns:<region>:<account>:<topic name>";
// "Topic names must be made up of only uppercase and lowercase ASCII letters, numbers,
// underscores, and hyphens, and must be between 1 and 256 characters long" (CreateTopic, Amazon
// SNS API reference, https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html); a FIFO
// topic's name ends .fifo, and CloudWatch alarm actions publish only to standard topics ("Using
// Amazon CloudWatch alarms", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const TOPIC_PATTERN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;

const email = z.string({ error: "an email address" }).superRefine((value, ctx) => {
  if (!EMAIL.test(value)) refuse(ctx, [], value, "an email address");
});

/** Why `arn` is not an SNS topic ARN, naming the part that is wrong; undefined when it is one. */
export function topicArnProblem(arn: string): string | undefined {
  const [prefix, partition = "", service, region = "", account = "", name = "", ...rest] =
    arn.split(":");
  if (prefix !== "arn" || !/^aws[a-z-]*$/.test(partition) || rest.length > 0)
    return `an SNS topic ARN, ${TOPIC_SHAPE}`;
  if (service !== "sns")
    return `an SNS topic ARN, ${TOPIC_SHAPE} (the service is "${String(service)}", not sns)`;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
    return `an SNS topic ARN whose region is a region ("${region}")`;
  if (!ACCOUNT_ID.test(account))
    return `an SNS topic ARN whose account is 12 digits ("${account}")`;
  if (name.endsWith(".fifo"))
    return `a standard SNS topic ("${name}" is a FIFO topic: CloudWatch alarms publish only to standard topics)`;
  if (!TOPIC_NAME.test(name))
    return `an SNS topic ARN whose name is 1-256 letters, digits, dashes and underscores ("${name}" is not)`;
  return undefined;
}

const alarmsObject = strict(
  {
    email: z.union([email, z.array(email).min(1, "at least one email address")], {
      error: "an email address or a list of them",
    }),
    topicArn: z.string({ error: `an SNS topic ARN, ${TOPIC_SHAPE}` }).superRefine((arn, ctx) => {
      const problem = topicArnProblem(arn);
      if (problem) refuse(ctx, [], arn, problem);
    }),
  },
  EXPECTED,
).partial();
const DESCRIPTION =
  "who hears the hub's alarms: {email} (a topic the hub makes, encrypted with its data key) or {topicArn} (a standard topic in the hub's region and account); absent, the alarms notify nobody";
writtenAs.set(
  alarmsObject,
  z
    .strictObject({
      email: z
        .union([z.string().regex(EMAIL), z.array(z.string().regex(EMAIL)).min(1)])
        .optional()
        .describe("an email address or a list of them"),
      topicArn: z.string().regex(TOPIC_PATTERN).optional().describe(TOPIC_SHAPE),
    })
    .describe(DESCRIPTION),
);
export const alarms = alarmsObject.optional().describe(DESCRIPTION);

/**
 * The topic in the hub's partition, region and account (each wrong part named); email and topicArn
 * not both; an email topic only with the hub's data key, which CloudWatch may use (the AWS managed
 * key alias/aws/sns admits no such grant).
 */
export function alarmsProblems(
  raw: z.output<typeof alarms>,
  hub: {
    readonly region: string;
    readonly hubAccountId: string | undefined;
    readonly customerManagedKey: boolean;
  },
  problems: Problems,
): AlarmsConfig | undefined {
  if (raw === undefined) return undefined;
  const emails =
    raw.email === undefined ? [] : typeof raw.email === "string" ? [raw.email] : raw.email;
  let accepted = true;
  if (emails.length > 0 && raw.topicArn !== undefined) {
    accepted = false;
    problems.at(
      "alarms",
      raw,
      "either email (a topic the hub makes) or topicArn (a topic of yours, subscribe the addresses to it), not both",
    );
  }
  if (emails.length > 0 && !hub.customerManagedKey) {
    accepted = false;
    problems.at(
      "alarms.email",
      raw.email,
      "customerManagedKey: true as well: the topic is encrypted with the hub's data key, whose policy lets CloudWatch publish; CloudWatch cannot publish to a topic under the AWS managed key alias/aws/sns, whose policy no one can change",
    );
  }
  const seen = new Set<string>();
  emails.forEach((address, i) => {
    const folded = address.toLowerCase();
    if (seen.has(folded))
      problems.at(`alarms.email[${String(i)}]`, address, "an address not already listed");
    seen.add(folded);
  });
  if (raw.topicArn !== undefined) {
    const [, partition, , region, account] = raw.topicArn.split(":");
    const hubPartition = partitionOf(hub.region);
    if (partition !== hubPartition) {
      accepted = false;
      problems.at(
        "alarms.topicArn",
        raw.topicArn,
        `a topic in the hub's partition ${hubPartition} (this one's partition is ${String(partition)})`,
      );
    }
    if (region !== hub.region) {
      accepted = false;
      problems.at(
        "alarms.topicArn",
        raw.topicArn,
        `a topic in the hub's region ${hub.region} (this one's region is ${String(region)}): a CloudWatch alarm's SNS action names a topic of its own region`,
      );
    }
    if (hub.hubAccountId !== undefined && account !== hub.hubAccountId) {
      accepted = false;
      problems.at(
        "alarms.topicArn",
        raw.topicArn,
        `a topic in the hub account ${hub.hubAccountId} (this one's account is ${String(account)})`,
      );
    }
  }
  if (!accepted) return undefined;
  return { emails, ...(raw.topicArn !== undefined ? { topicArn: raw.topicArn } : {}) };
}
