import { randomUUID } from "node:crypto";
import type { Traffic } from "./traffic";

/** A message as SQS keeps it: its body, and when it was sent. */
interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  /** Until when a receive hides it (its visibility timeout), epoch ms. */
  hiddenUntil: number;
}

/** A standard queue: its URL, name and messages (in order sent; SQS promises no order). */
interface Queue {
  readonly arn: string;
  readonly url: string;
  readonly name: string;
  readonly retentionSeconds: number;
  readonly messages: Message[];
}

/**
 * A minimal Amazon SQS, in process: standard queues that keep what is sent to them, for the
 * lifecycle's on-failure destination. SendMessage, ReceiveMessage (a received message is hidden
 * for the visibility timeout, 30 s by default, and comes back unless deleted) and
 * GetQueueAttributes' ApproximateNumberOfMessages ("ReceiveMessage", "SendMessage",
 * "GetQueueAttributes", Amazon SQS API reference,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
 * Messages older than the queue's retention are gone.
 */
export class SqsQueues {
  readonly queues = new Map<string, Queue>();

  constructor(
    private readonly traffic: Traffic,
    private readonly now: () => number = Date.now,
  ) {}

  create(arn: string, url: string, retentionSeconds = 345_600): void {
    const name = arn.split(":").pop() ?? "";
    this.queues.set(arn, { arn, url, name, retentionSeconds, messages: [] });
  }

  delete(arn: string): void {
    this.queues.delete(arn);
  }

  private queue(arnOrUrl: string): Queue {
    const queue =
      this.queues.get(arnOrUrl) ?? [...this.queues.values()].find((q) => q.url === arnOrUrl);
    if (!queue)
      throw Object.assign(new Error(`no queue ${arnOrUrl}`), { name: "QueueDoesNotExist" });
    const oldest = this.now() - queue.retentionSeconds * 1000;
    while (queue.messages[0] && queue.messages[0].sentAt < oldest) queue.messages.shift();
    return queue;
  }

  /** SendMessage: answers the message's id. */
  send(arnOrUrl: string, body: string): string {
    const messageId = randomUUID();
    this.queue(arnOrUrl).messages.push({ messageId, body, sentAt: this.now(), hiddenUntil: 0 });
    this.traffic.count("SQS.SendMessage");
    return messageId;
  }

  /** ReceiveMessage: up to `max` visible messages, hidden then for `visibilitySeconds`. */
  receive(
    arnOrUrl: string,
    max = 1,
    visibilitySeconds = 30,
  ): { messageId: string; body: string }[] {
    const at = this.now();
    const visible = this.queue(arnOrUrl)
      .messages.filter((m) => m.hiddenUntil <= at)
      .slice(0, Math.min(10, max));
    for (const m of visible) m.hiddenUntil = at + visibilitySeconds * 1000;
    this.traffic.count("SQS.ReceiveMessage");
    return visible.map(({ messageId, body }) => ({ messageId, body }));
  }

  /** GetQueueAttributes: ApproximateNumberOfMessages (visible) and ...NotVisible. */
  attributes(arnOrUrl: string): Record<string, string> {
    const at = this.now();
    const { messages } = this.queue(arnOrUrl);
    const visible = messages.filter((m) => m.hiddenUntil <= at).length;
    return {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(messages.length - visible),
    };
  }
}
