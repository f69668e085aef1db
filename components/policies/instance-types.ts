import { policyDocument, type PolicyDocument } from "./document";

/*
 * Each team's instance types (issue #21): an allow-list enforced in the team's execution role (and
 * the LOB's default execution role) with the `sagemaker:InstanceTypes` condition key, "the list of
 * all instance types associated with the resource in the request" (Service Authorization
 * Reference, Actions, resources, and condition keys for Amazon SageMaker AI,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html).
 *
 * The same reference documents no condition key for a volume's or a space's storage size (no
 * `sagemaker:VolumeSizeInGB`, no `sagemaker:SpaceStorageSize`): IAM cannot limit them.
 */

/** A SageMaker instance type name (`ml.<family>.<size>`), or `system` (Studio Classic's server). */
export const INSTANCE_TYPE = /^(ml\.[a-z][a-z0-9-]*\.[a-z0-9-]+|system)$/;

/**
 * The LOB default: the burstable and general-purpose sizes a notebook or a small job needs (2 to 4
 * vCPUs, 4 to 16 GiB), the cheapest of SageMaker's on-demand prices. A team that needs more
 * (GPUs, large training) is given them by name, in its `instanceTypes`, where the LOB's operators
 * see and approve the cost.
 */
export const DEFAULT_INSTANCE_TYPES = [
  "ml.t3.medium",
  "ml.t3.large",
  "ml.m5.large",
  "ml.m5.xlarge",
] as const;

/**
 * Every action whose request carries `sagemaker:InstanceTypes` and that a team's role may be
 * allowed (by Studio basics, ABAC or its own policies). CreateDomain, UpdateDomain,
 * CreateUserProfile, UpdateUserProfile, CreateNotebookInstance and UpdateNotebookInstance carry
 * the key too, but no team may call them at all (TEAM_DENIED_ACTIONS). Notebook jobs run as
 * training jobs ("Notebook jobs", SageMaker AI Developer Guide:
 * https://docs.aws.amazon.com/sagemaker/latest/dg/notebook-auto-run.html).
 */
export const INSTANCE_TYPE_ACTIONS = [
  "sagemaker:CreateApp",
  "sagemaker:CreateSpace",
  "sagemaker:UpdateSpace",
  "sagemaker:CreateTrainingJob",
  "sagemaker:UpdateTrainingJob",
  "sagemaker:CreateProcessingJob",
  "sagemaker:CreateTransformJob",
  "sagemaker:CreateHyperParameterTuningJob",
  "sagemaker:CreateEndpointConfig",
  "sagemaker:CreateCluster",
  "sagemaker:UpdateCluster",
  "sagemaker:CreateMonitoringSchedule",
  "sagemaker:UpdateMonitoringSchedule",
  "sagemaker:CreateDataQualityJobDefinition",
  "sagemaker:CreateModelBiasJobDefinition",
  "sagemaker:CreateModelExplainabilityJobDefinition",
  "sagemaker:CreateModelQualityJobDefinition",
] as const;

/**
 * The actions refused when the request names no instance type at all: those whose API requires
 * one (CreateProcessingJob's ClusterConfig, CreateTransformJob's TransformResources), and those
 * where none means a default chosen elsewhere (CreateApp takes the profile's or the domain's;
 * CreateTrainingJob and CreateHyperParameterTuningJob name theirs in a resource config or in
 * instance groups, which the key lists too). A space without one (its storage or name changed)
 * and a serverless endpoint config (no instance) stay allowed.
 */
export const INSTANCE_TYPE_REQUIRED_ACTIONS = [
  "sagemaker:CreateApp",
  "sagemaker:CreateTrainingJob",
  "sagemaker:CreateProcessingJob",
  "sagemaker:CreateTransformJob",
  "sagemaker:CreateHyperParameterTuningJob",
] as const;

/**
 * Actions that start instances of a type the request does not name in `sagemaker:InstanceTypes`
 * (the Service Authorization Reference lists no such key for them): AutoML picks its own instances,
 * an inference recommendations job and an optimization job name theirs in fields the key does not
 * cover, and a notebook instance already has its type. No team may call them: an allow-list that
 * these would pass around is no limit.
 */
export const UNLIMITED_INSTANCE_ACTIONS = [
  "sagemaker:CreateAutoMLJob",
  "sagemaker:CreateAutoMLJobV2",
  "sagemaker:CreateInferenceRecommendationsJob",
  "sagemaker:CreateOptimizationJob",
  "sagemaker:StartNotebookInstance",
] as const;

/** The team tag, and the calling role's own team as IAM resolves it. */
const TEAM_TAG = "studio-access:team";
const OWN_TEAM = `\${aws:PrincipalTag/${TEAM_TAG}}`;

/**
 * A role's instance-type limit: Deny (whatever else allows) a request naming any type outside
 * `allowed`, and a request naming none where one is required. Deny statements are the robust form:
 * a team's own policies, or a managed policy attached later, cannot widen them.
 *
 * The first statement names `sagemaker:Create*` and `sagemaker:Update*` rather than the actions
 * one by one: `ForAnyValue:` of a key the request does not carry is false ("Multivalued context
 * keys", IAM User Guide,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html),
 * so an action without the key is not affected, every action with it is (INSTANCE_TYPE_ACTIONS,
 * and any SageMaker adds later), and the document stays short beside a team's own policies in
 * IAM's 10,240 characters of inline policy per role.
 */
export function instanceTypesPolicy(allowed: readonly string[]): PolicyDocument {
  return policyDocument(
    {
      Sid: "DenyInstanceTypesNotAllowed",
      Effect: "Deny",
      Action: ["sagemaker:Create*", "sagemaker:Update*"],
      Resource: "*",
      Condition: { "ForAnyValue:StringNotLike": { "sagemaker:InstanceTypes": [...allowed] } },
    },
    {
      Sid: "DenyMissingInstanceType",
      Effect: "Deny",
      Action: [...INSTANCE_TYPE_REQUIRED_ACTIONS],
      Resource: "*",
      Condition: { Null: { "sagemaker:InstanceTypes": "true" } },
    },
    {
      Sid: "DenyInstancesOfNoNamedType",
      Effect: "Deny",
      Action: [...UNLIMITED_INSTANCE_ACTIONS],
      Resource: "*",
    },
    {
      // CreateEndpoint and UpdateEndpoint carry no instance type: the endpoint config does, which
      // the caller created within its own types. Another team's config (its types) is refused.
      Sid: "DenyEndpointsOfAnotherTeamsConfig",
      Effect: "Deny",
      Action: ["sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint"],
      Resource: "arn:aws:sagemaker:*:*:endpoint-config/*",
      Condition: { StringNotEquals: { [`aws:ResourceTag/${TEAM_TAG}`]: OWN_TEAM } },
    },
  );
}
