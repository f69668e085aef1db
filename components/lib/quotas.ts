/**
 * The AWS quotas the design touches, with their default values and where AWS states them. The
 * config refuses a layout that would exceed one; tests and `npm run bench:scale` check a 200-LOB
 * hub against them with headroom. The IAM figures are from "IAM and AWS STS quotas"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): IAM object quotas
 * and IAM and STS character quotas; "IAM does not count white space when calculating the size of a
 * policy against these quotas".
 */
export interface Quota {
  readonly limit: number;
  readonly what: string;
  readonly source: string;
  /** For a quota Service Quotas raises: the most it grants, and the config key that says so. */
  readonly adjustable?: { readonly upTo: number; readonly configKey: string };
}

export const QUOTAS = {
  securityGroupInboundRules: {
    limit: 60,
    what: "inbound rules per security group",
    source: "Amazon VPC quotas, security groups (default, adjustable)",
  },
  routesPerRouteTable: {
    limit: 50,
    what: "non-propagated routes per VPC route table",
    source: "Amazon VPC quotas, route tables (default, adjustable up to 1,000)",
  },
  vpcsPerPrivateHostedZone: {
    limit: 300,
    what: "VPCs associated with one private hosted zone",
    source: "Route 53 quotas, private hosted zones",
  },
  // Route 53 Profiles (hub `dnsSharing: profile`, issue #22): "AssociateProfile", Route 53 API
  // Reference (https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53profiles_AssociateProfile.html):
  // "A VPC can have only one Profile associated with it, but a Profile can be associated with 1000
  // of VPCs (and you can request a higher quota)", pointing at "Quotas on Route 53 Profiles"
  // (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-entities).
  vpcsPerRoute53Profile: {
    limit: 1000,
    what: "VPCs associated with one Route 53 Profile",
    source:
      "Route 53 API Reference, AssociateProfile: a Profile can be associated with 1000 VPCs (default, adjustable through Service Quotas)",
  },
  profilesPerVpc: {
    limit: 1,
    what: "Route 53 Profiles associated with one VPC",
    source:
      "Route 53 API Reference, AssociateProfile: a VPC can have only one Profile associated with it (not adjustable)",
  },
  // "Quotas for your transit gateways", Amazon VPC Transit Gateways
  // (https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html): attachments per
  // transit gateway 5,000; routes 10,000 per transit gateway, all its route tables together.
  attachmentsPerTransitGateway: {
    limit: 5000,
    what: "attachments per transit gateway",
    source: "AWS Transit Gateway quotas, attachments per transit gateway (default)",
  },
  routesPerTransitGateway: {
    limit: 10000,
    what: "routes per transit gateway (all its route tables)",
    source: "AWS Transit Gateway quotas, routes per transit gateway (default)",
  },
  // "IAM object quotas": roles in an AWS account, 1,000 by default, raised through Service Quotas
  // (quota "Roles per account") up to 5,000.
  rolesPerAccount: {
    limit: 1000,
    what: "IAM roles per account",
    source: "IAM and AWS STS quotas, IAM object quotas (default, adjustable up to 5,000)",
    adjustable: { upTo: 5000, configKey: "iamQuotas.rolesPerAccount" },
  },
  principalsPerResourceShare: {
    limit: 5000,
    what: "principal associations per RAM resource share",
    source: "AWS RAM quotas, service-quotas.html (default)",
  },
  principalsPerRegion: {
    limit: 25000,
    what: "principal associations across all RAM resource shares in a region",
    source: "AWS RAM quotas, service-quotas.html (default)",
  },
  endpointPolicyCharacters: {
    limit: 20480,
    what: "characters in a VPC endpoint policy",
    source: "AWS PrivateLink, endpoint policies",
  },
  roleInlinePolicyCharacters: {
    limit: 10240,
    what: "characters in one role's inline policies (together, whitespace excluded)",
    source: "IAM and AWS STS quotas, IAM and STS character quotas (not adjustable)",
  },
  managedPolicyCharacters: {
    limit: 6144,
    what: "characters in a customer managed policy (whitespace excluded)",
    source: "IAM and AWS STS quotas, IAM and STS character quotas (not adjustable)",
  },
  managedPoliciesPerRole: {
    limit: 10,
    what: "managed policies attached to one role",
    source: "IAM and AWS STS quotas, IAM object quotas (default, adjustable up to 20)",
    adjustable: { upTo: 20, configKey: "iamQuotas.managedPoliciesPerRole" },
  },
  roleTrustPolicyCharacters: {
    limit: 2048,
    what: "characters in one role's trust policy (whitespace excluded)",
    source: "IAM and AWS STS quotas, IAM object quotas (default, adjustable up to 8,192)",
    adjustable: { upTo: 8192, configKey: "iamQuotas.roleTrustPolicyCharacters" },
  },
  tagsPerRole: {
    limit: 50,
    what: "tags on one IAM role",
    source: "IAM and AWS STS quotas, IAM object quotas (not adjustable)",
  },
  // Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
  // "4 KB, for all environment variables associated with the function, in aggregate".
  lambdaEnvironmentBytes: {
    limit: 4096,
    what: "bytes of one Lambda function's environment variables (names and values together)",
    source: "Lambda quotas, function configuration: environment variables 4 KB (not adjustable)",
  },
  // "Quotas for configuring and running a REST API in API Gateway"
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html):
  // "Length, in characters, of API Gateway resource policy: 8192".
  apiResourcePolicyCharacters: {
    limit: 8192,
    what: "characters in an API Gateway REST API's resource policy",
    source: "API Gateway quotas, REST API: length of resource policy (default)",
  },
  // Not AWS's: Pulumi hands a stack's config to the program in one environment variable,
  // PULUMI_CONFIG (pulumi/pulumi#8680), and Linux's execve(2) refuses a variable over
  // MAX_ARG_STRLEN (32 pages: 131,072 bytes, "PULUMI_CONFIG=", the JSON and its NUL).
  pulumiConfigBytes: {
    limit: 131072,
    what: "bytes of the PULUMI_CONFIG environment variable (the hub stack's whole config)",
    source: "Linux execve(2), MAX_ARG_STRLEN; pulumi/pulumi#8680",
  },
  // AWS Budgets ("Quotas and restrictions", AWS Cost Management User Guide,
  // https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-limits.html, and the
  // CreateBudget API reference's NotificationsWithSubscribers and NotificationWithSubscribers).
  budgetsPerAccount: {
    limit: 20000,
    what: "budgets per account",
    source: "AWS Budgets quotas (budgets per account)",
  },
  notificationsPerBudget: {
    limit: 5,
    what: "notifications per budget",
    source: "AWS Budgets, CreateBudget: a budget can have up to five notifications",
  },
  subscribersPerNotification: {
    limit: 11,
    what: "subscribers per budget notification (one SNS topic and up to 10 email addresses)",
    source: "AWS Budgets, NotificationWithSubscribers: one SNS subscriber and up to 10 email",
  },
} as const satisfies Record<string, Quota>;

export type QuotaKey = keyof typeof QUOTAS;

/** The IAM quotas checked for every role the program makes; the adjustable ones as configured. */
export interface IamLimits {
  readonly roleInlinePolicyCharacters: number;
  readonly managedPoliciesPerRole: number;
  readonly roleTrustPolicyCharacters: number;
  readonly tagsPerRole: number;
}

/** IAM's default quotas, for an account that has raised none. */
export const DEFAULT_IAM_LIMITS: IamLimits = {
  roleInlinePolicyCharacters: QUOTAS.roleInlinePolicyCharacters.limit,
  managedPoliciesPerRole: QUOTAS.managedPoliciesPerRole.limit,
  roleTrustPolicyCharacters: QUOTAS.roleTrustPolicyCharacters.limit,
  tagsPerRole: QUOTAS.tagsPerRole.limit,
};
