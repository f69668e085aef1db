import { randomUUID } from "node:crypto";
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { matchesFilter } from "../lambda";
import type { Traffic } from "../traffic";
import type { TableInfo } from "./gateway";

/** Who a TTL deletion's stream record says made it (API_streams_Record, cited at expireItems). */
const TTL_IDENTITY = { type: "Service", principalId: "dynamodb.amazonaws.com" } as const;

/** An item a write changes: its table and key. */
interface ItemWrite {
  readonly table: string;
  readonly key: Record<string, unknown>;
}

/**
 * DynamoDB Streams and Time to Live, read straight from the DynamoDB emulator (past the gateway:
 * no IAM), and the Lambda event source mappings that receive the records.
 */
export class DynamoDbStreams {
  /**
   * Stream subscriptions (a Lambda event source mapping on a table's stream): each write through
   * the DynamoDB gateway that changes an item becomes a stream record, and the records its filters
   * admit go to `deliver`, as Lambda's poller delivers them.
   */
  readonly subscriptions: {
    readonly table: string;
    readonly functionArn: string;
    readonly filters: readonly unknown[];
    /** Retries of a failed batch (the mapping's MaximumRetryAttempts); absent, two. */
    readonly maximumRetryAttempts?: number;
    /** The mapping's on-failure destination (an SQS queue's ARN), if any. */
    readonly onFailure?: string;
    /** The stream's ARN (the mapping's EventSourceArn). */
    readonly streamArn?: string;
  }[] = [];
  deliver: ((functionArn: string, records: unknown[]) => Promise<void>) | undefined;
  /** Sends a discarded batch's record to an on-failure destination (the emulated SQS). */
  sendOnFailure: ((destinationArn: string, body: string) => void) | undefined;
  private sequence = 0;
  private client: DynamoDBClient | undefined;
  /** The DynamoDB emulator the gateway forwards to (the TTL process works on it directly). */
  private dynamoUrl: string | undefined;

  constructor(
    private readonly region: string,
    private readonly tables: ReadonlyMap<string, TableInfo>,
    private readonly traffic: Traffic,
  ) {}

  /** Reads from the DynamoDB emulator at this address. */
  connect(dynamoUrl: string): void {
    this.dynamoUrl = dynamoUrl;
  }

  stop(): void {
    this.client?.destroy();
    this.client = undefined;
  }

  /**
   * The items a write changes in tables someone subscribed to: their table and key. Every item
   * write makes a stream record, whichever call made it: PutItem, UpdateItem and DeleteItem, each
   * PutRequest and DeleteRequest of a BatchWriteItem, and each Put, Update and Delete of a
   * TransactWriteItems ("DynamoDB Streams captures a time-ordered sequence of item-level
   * modifications", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html).
   * An item left as it was (a failed condition, an unprocessed batch item) makes none.
   */
  streamedWrites(operation: string, body: string): ItemWrite[] {
    type Write = {
      TableName?: string;
      Key?: Record<string, unknown>;
      Item?: Record<string, unknown>;
    };
    const input = JSON.parse(body || "{}") as Write & {
      RequestItems?: Record<
        string,
        {
          PutRequest?: { Item?: Record<string, unknown> };
          DeleteRequest?: { Key?: Record<string, unknown> };
        }[]
      >;
      TransactItems?: { Put?: Write; Update?: Write; Delete?: Write }[];
    };
    const writes: Write[] = ["PutItem", "UpdateItem", "DeleteItem"].includes(operation)
      ? [input]
      : operation === "BatchWriteItem"
        ? Object.entries(input.RequestItems ?? {}).flatMap(([TableName, requests]) =>
            requests.map((r) => ({
              TableName,
              ...(r.PutRequest?.Item ? { Item: r.PutRequest.Item } : {}),
              ...(r.DeleteRequest?.Key ? { Key: r.DeleteRequest.Key } : {}),
            })),
          )
        : operation === "TransactWriteItems"
          ? (input.TransactItems ?? []).flatMap((t) => {
              const write = t.Put ?? t.Update ?? t.Delete;
              return write ? [write] : [];
            })
          : [];
    return writes.flatMap((write) => {
      const table = write.TableName ?? "";
      const info = this.tables.get(table);
      if (!info || !this.subscriptions.some((s) => s.table === table)) return [];
      const key =
        write.Key ??
        Object.fromEntries(Object.entries(write.Item ?? {}).filter(([k]) => info.keys.includes(k)));
      return [{ table, key }];
    });
  }

  /**
   * DynamoDB's Time to Live: deletes a table's items whose TTL attribute (a Number of epoch
   * seconds) is before `nowSeconds`, as the TTL process does in the background (here when called),
   * and makes each deletion a REMOVE stream record whose `userIdentity` says the service did it:
   * "Items that are deleted by the Time to Live process after expiration have the following
   * fields: Records[].userIdentity.type "Service", Records[].userIdentity.principalId
   * "dynamodb.amazonaws.com"" (Record, DynamoDB Streams API reference,
   * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html; TTL,
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html). Answers how many
   * items expired.
   */
  async expireItems(table: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<number> {
    const info = this.tables.get(table);
    if (!info?.ttlAttribute) throw new Error(`table ${table} has no TTL attribute`);
    const reader = this.reader();
    const expired: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await reader.send(
        new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const ttl = item[info.ttlAttribute]?.N;
        if (ttl !== undefined && Number(ttl) < nowSeconds) expired.push(item);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    for (const item of expired) {
      const key = Object.fromEntries(info.keys.map((k) => [k, item[k]]));
      await reader.send(
        new DeleteItemCommand({ TableName: table, Key: key as Record<string, AttributeValue> }),
      );
      this.traffic.count("DynamoDB.TtlExpiry");
      await this.emitStreamRecord({ table, key }, item, TTL_IDENTITY);
    }
    return expired.length;
  }

  /** A client of the DynamoDB emulator itself (past the gateway: no IAM). */
  private reader(): DynamoDBClient {
    const dynamoUrl = this.dynamoUrl;
    if (!dynamoUrl) throw new Error("no DynamoDB emulator: call dynamoGateway first");
    this.client ??= new DynamoDBClient({
      region: this.region,
      endpoint: dynamoUrl,
      credentials: { accessKeyId: "stream", secretAccessKey: "stream" },
    });
    return this.client;
  }

  /** The item as DynamoDB holds it now (read straight from the DynamoDB emulator). */
  async itemImage(write: ItemWrite): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.reader().send(
      new GetItemCommand({
        TableName: write.table,
        Key: write.key as Record<string, AttributeValue>,
        ConsistentRead: true,
      }),
    );
    return Item;
  }

  /**
   * The stream record of a write (NEW_AND_OLD_IMAGES), delivered to each subscription whose filter
   * admits it. Delivery is asynchronous, after the write answered, as with Lambda's poller; a
   * delivery that fails is retried twice, a second apart.
   */
  async emitStreamRecord(
    write: ItemWrite,
    before: Record<string, unknown> | undefined,
    userIdentity?: typeof TTL_IDENTITY,
  ): Promise<void> {
    try {
      const after = await this.itemImage(write);
      if (JSON.stringify(before) === JSON.stringify(after)) return;
      const record = {
        eventName: !before ? "INSERT" : !after ? "REMOVE" : "MODIFY",
        eventSource: "aws:dynamodb",
        ...(userIdentity ? { userIdentity } : {}),
        dynamodb: {
          Keys: write.key,
          ...(before ? { OldImage: before } : {}),
          ...(after ? { NewImage: after } : {}),
          SequenceNumber: String((this.sequence += 1)),
          StreamViewType: "NEW_AND_OLD_IMAGES",
        },
      };
      for (const subscription of this.subscriptions.filter((s) => s.table === write.table)) {
        if (!subscription.filters.some((f) => matchesFilter(f, record))) continue;
        this.traffic.count("DynamoDBStreams.Record");
        const attempts = 1 + (subscription.maximumRetryAttempts ?? 2);
        const firstArrival = new Date().toISOString();
        let error: string | undefined;
        for (let attempt = 1; attempt <= attempts; attempt++) {
          error = await this.deliver?.(subscription.functionArn, [record]).then(
            () => undefined,
            (e: unknown) => (e as Error).message,
          );
          if (error === undefined) break;
          if (attempt < attempts) {
            this.traffic.count("DynamoDBStreams.Retry");
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        }
        if (error !== undefined && subscription.onFailure) {
          this.sendOnFailure?.(
            subscription.onFailure,
            JSON.stringify(
              onFailureRecord({
                functionArn: subscription.functionArn,
                streamArn: subscription.streamArn ?? "",
                sequenceNumber: record.dynamodb.SequenceNumber,
                attempts,
                firstArrival,
              }),
            ),
          );
          this.traffic.count("DynamoDBStreams.OnFailure");
        } else if (error !== undefined) this.traffic.count("DynamoDBStreams.Discarded");
      }
    } catch {
      this.traffic.count("DynamoDBStreams.Lost");
    }
  }
}

/**
 * What Lambda sends to a DynamoDB stream mapping's on-failure destination when it discards a batch:
 * metadata, not the records ("Each record sent to the destination is a JSON document containing
 * metadata about the failed invocation"; the example's requestContext, responseContext, version,
 * timestamp and DDBStreamBatchInfo: "Retaining discarded batches for a DynamoDB event source in
 * Lambda", https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html). The
 * sandbox's batches are one record, so the first and last sequence numbers are that record's.
 */
export function onFailureRecord(args: {
  functionArn: string;
  streamArn: string;
  sequenceNumber: string;
  attempts: number;
  firstArrival: string;
}) {
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: args.functionArn,
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: args.attempts,
    },
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    version: "1.0",
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId: "shardId-00000000000000000000-00000000",
      startSequenceNumber: args.sequenceNumber,
      endSequenceNumber: args.sequenceNumber,
      approximateArrivalOfFirstRecord: args.firstArrival,
      approximateArrivalOfLastRecord: args.firstArrival,
      batchSize: 1,
      streamArn: args.streamArn,
    },
  };
}
