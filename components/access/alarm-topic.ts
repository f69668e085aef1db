import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../lib/bundled-function";
import { alarmTopicPolicy } from "../policies/monitoring";
import type { AccessScope } from "./scope";

/** Who hears the hub's alarms, as the hub config says (`alarms`). */
export interface AlarmRecipients {
  /** Addresses the topic the hub makes is for (each confirms the subscription by email). */
  readonly emails: readonly string[];
  /** A standard topic of the operators' own in the hub's region and account. */
  readonly topicArn?: string;
}

/**
 * Where the alarms go: with `emails`, an SNS topic the hub makes, encrypted with the hub's data key
 * (whose policy lets CloudWatch use it: see alarmsKeyStatement), with a policy that lets only this
 * account's alarms publish, and an email subscription per address; with `topicArn`, that topic;
 * with neither, nowhere (`topicArn` undefined): the alarms still change state in the console and
 * on the dashboard.
 */
export class AlarmTopic {
  /** The topic the alarms' actions publish to; undefined when nobody is notified. */
  readonly topicArn?: pulumi.Output<string>;

  constructor(
    scope: AccessScope,
    args: {
      readonly region: string;
      readonly hubAccountId: string;
      readonly recipients?: AlarmRecipients;
    },
  ) {
    const recipients = args.recipients;
    if (recipients?.topicArn !== undefined) {
      this.topicArn = pulumi.output(recipients.topicArn);
      return;
    }
    if (!recipients || recipients.emails.length === 0) return;
    if (!scope.keyArn)
      throw new Error(
        "alarms.email needs the hub's data key (customerManagedKey): CloudWatch cannot publish to a topic under alias/aws/sns",
      );
    const parent = { parent: scope.parent };
    const topic = new aws.sns.Topic(
      `${scope.name}-alarms`,
      { kmsMasterKeyId: scope.keyArn, displayName: "studio-access hub alarms" },
      parent,
    );
    new aws.sns.TopicPolicy(
      `${scope.name}-alarms`,
      {
        arn: topic.arn,
        policy: policyJson(
          topic.arn.apply((topicArn) =>
            alarmTopicPolicy({ topicArn, region: args.region, accountId: args.hubAccountId }),
          ),
        ),
      },
      parent,
    );
    recipients.emails.forEach(
      (endpoint, i) =>
        new aws.sns.TopicSubscription(
          `${scope.name}-alarms-${String(i)}`,
          { topic: topic.arn, protocol: "email", endpoint },
          parent,
        ),
    );
    this.topicArn = topic.arn;
  }
}
