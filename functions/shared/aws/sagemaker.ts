import type {
  CreatePresignedDomainUrlCommandInput,
  CreateUserProfileCommandInput,
  DescribeUserProfileCommandInput,
  ListTagsCommandInput,
  Tag,
} from "@aws-sdk/client-sagemaker";
import { AwsCommand, JsonClient, type ClientConfig } from "./call";

/**
 * SageMaker's operations of the sign-in (AWS JSON 1.1, target prefix `SageMaker`, host
 * `api.sagemaker.<region>`), in the SDK's names: `new SageMakerClient({ region, credentials })`.
 * Outputs name only the fields the functions read: the wire gives timestamps as epoch seconds, not
 * the SDK's `Date`s, so they are left untyped rather than mistyped.
 */
export class SageMakerClient extends JsonClient {
  constructor(config: ClientConfig = {}) {
    super(
      { endpointId: "SAGEMAKER", hostPrefix: "api.sagemaker", signingName: "sagemaker" },
      { targetPrefix: "SageMaker", version: "1.1" },
      config,
    );
  }
}

export class CreatePresignedDomainUrlCommand extends AwsCommand<
  CreatePresignedDomainUrlCommandInput,
  { readonly AuthorizedUrl?: string }
> {
  readonly operation = "CreatePresignedDomainUrl";
}

export class CreateUserProfileCommand extends AwsCommand<
  CreateUserProfileCommandInput,
  { readonly UserProfileArn?: string }
> {
  readonly operation = "CreateUserProfile";
}

export class DescribeUserProfileCommand extends AwsCommand<
  DescribeUserProfileCommandInput,
  {
    readonly UserProfileArn?: string;
    readonly Status?: string;
    readonly UserSettings?: { readonly ExecutionRole?: string };
  }
> {
  readonly operation = "DescribeUserProfile";
}

export class ListTagsCommand extends AwsCommand<
  ListTagsCommandInput,
  { readonly Tags?: readonly Tag[]; readonly NextToken?: string }
> {
  readonly operation = "ListTags";
}
