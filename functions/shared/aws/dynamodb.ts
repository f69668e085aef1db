import type {
  BatchGetItemCommandInput,
  BatchGetItemCommandOutput,
  DeleteItemCommandInput,
  DeleteItemCommandOutput,
  PutItemCommandInput,
  PutItemCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { AwsCommand, JsonClient, type ClientConfig } from "./call";

/**
 * DynamoDB's operations of the sign-in (AWS JSON 1.0, target prefix `DynamoDB_20120810`), in the
 * SDK's names and types: `new DynamoDBClient(config).send(new BatchGetItemCommand(input))`. Inputs
 * and outputs are the wire's JSON (attribute values marshalled with @aws-sdk/util-dynamodb); no
 * binary (`B`, `BS`) attribute is read or written on this path.
 */
export class DynamoDBClient extends JsonClient {
  constructor(config: ClientConfig = {}) {
    super(
      { endpointId: "DYNAMODB", hostPrefix: "dynamodb", signingName: "dynamodb" },
      { targetPrefix: "DynamoDB_20120810", version: "1.0" },
      config,
    );
  }
}

type Output<T> = Omit<T, "$metadata">;

export class BatchGetItemCommand extends AwsCommand<
  BatchGetItemCommandInput,
  Output<BatchGetItemCommandOutput>
> {
  readonly operation = "BatchGetItem";
}
export class QueryCommand extends AwsCommand<QueryCommandInput, Output<QueryCommandOutput>> {
  readonly operation = "Query";
}
export class PutItemCommand extends AwsCommand<PutItemCommandInput, Output<PutItemCommandOutput>> {
  readonly operation = "PutItem";
}
export class DeleteItemCommand extends AwsCommand<
  DeleteItemCommandInput,
  Output<DeleteItemCommandOutput>
> {
  readonly operation = "DeleteItem";
}
