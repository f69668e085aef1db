import { SqsQueues } from "../../scripts/sandbox/aws/sqs";
import { onFailureRecord } from "../../scripts/sandbox/aws/dynamodb/streams";
import { Traffic } from "../../scripts/sandbox/aws/traffic";

/** #21: the emulated SQS behind the lifecycle's on-failure destination. */
describe("the emulated SQS queue", () => {
  const ARN = "arn:aws:sqs:us-east-1:111111111111:access-lifecycle-failed-0000000";
  const URL = "https://sqs.us-east-1.amazonaws.com/111111111111/access-lifecycle-failed-0000000";
  let clock = 0;
  const make = () => {
    clock = 1_000_000;
    const sqs = new SqsQueues(new Traffic(), () => clock);
    sqs.create(ARN, URL, 1_209_600);
    return sqs;
  };

  it("keeps what is sent, hides a received message for its visibility timeout, then shows it again", () => {
    const sqs = make();
    sqs.send(ARN, "one");
    expect(sqs.attributes(URL)).toEqual({
      ApproximateNumberOfMessages: "1",
      ApproximateNumberOfMessagesNotVisible: "0",
    });
    expect(sqs.receive(URL, 10, 30).map((m) => m.body)).toEqual(["one"]);
    expect(sqs.receive(URL, 10, 30)).toEqual([]);
    expect(sqs.attributes(ARN).ApproximateNumberOfMessagesNotVisible).toBe("1");
    clock += 30_000;
    expect(sqs.receive(ARN).map((m) => m.body)).toEqual(["one"]);
  });

  it("drops messages older than the queue's retention (14 days here)", () => {
    const sqs = make();
    sqs.send(ARN, "old");
    clock += 1_209_600_000 + 1;
    expect(sqs.attributes(ARN).ApproximateNumberOfMessages).toBe("0");
  });

  it("refuses a queue that does not exist", () => {
    expect(() => make().send("arn:aws:sqs:us-east-1:111111111111:nope", "x")).toThrow(
      expect.objectContaining({ name: "QueueDoesNotExist" }) as Error,
    );
  });
});

describe("the on-failure record of a discarded stream batch", () => {
  it("is metadata in the Lambda docs' shape: the condition, invoke count and the batch's coordinates, not the record", () => {
    const record = onFailureRecord({
      functionArn: "arn:aws:lambda:us-east-1:111111111111:function:access-lifecycle",
      streamArn: "arn:aws:dynamodb:us-east-1:111111111111:table/t/stream/2026",
      sequenceNumber: "42",
      attempts: 4,
      firstArrival: "2026-12-04T00:00:00.000Z",
    });
    expect(record).toEqual({
      requestContext: {
        requestId: expect.any(String) as unknown,
        functionArn: "arn:aws:lambda:us-east-1:111111111111:function:access-lifecycle",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 4,
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: expect.any(String) as unknown,
      DDBStreamBatchInfo: {
        shardId: expect.any(String) as unknown,
        startSequenceNumber: "42",
        endSequenceNumber: "42",
        approximateArrivalOfFirstRecord: "2026-12-04T00:00:00.000Z",
        approximateArrivalOfLastRecord: "2026-12-04T00:00:00.000Z",
        batchSize: 1,
        streamArn: "arn:aws:dynamodb:us-east-1:111111111111:table/t/stream/2026",
      },
    });
  });
});
