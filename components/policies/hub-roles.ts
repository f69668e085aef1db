import { DISABLED_PARTITION } from "../../functions/shared/tables";
import { QUOTAS } from "../lib/quotas";
import { attachToVpc, policyDocument, writeLogs, type PolicyDocument } from "./document";

/*
 * The roles of the hub's functions (authorizer, presigner, SAML entry, lifecycle, portal) and the hub's
 * admin role. The roles they assume in the LOB accounts are named in role-names.ts; each LOB's
 * deployer role in the hub is in hub-deployer-roles.ts.
 */

/**
 * What the lifecycle function may write in an entitlement row: its key and the offboarding state
 * it keeps. DynamoDB needs the key attributes listed ("If you use dynamodb:Attributes, you must
 * specify the names of all of the primary key and index key attributes for the table and any
 * secondary indexes that are listed in the policy", Using IAM policy conditions for fine-grained
 * access control, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html);
 * the by-username index is not listed in the policy, so its keys are not.
 */
export const LIFECYCLE_ROW_ATTRIBUTES = ["lob", "userTeam", "state", "stateAt", "detail"] as const;

/**
 * The lifecycle function's rights in the hub: read the entitlements table's stream, read a row
 * again and the LOB records, update a row's offboarding state (never delete a row: an offboarded
 * row stays as the marker that keeps the user out), its logs and the hub VPC. UpdateItem may name
 * only the key, `state`, `stateAt` and `detail` and return nothing, so it cannot write a username,
 * team or profile name, nor read one back; UpdateItem also creates a missing row, which the
 * function's own ConditionExpression (the row exists and is being offboarded) forbids. Assuming the
 * LOBs' lifecycle roles is granted by `assumeRolesPolicies`, attached beside it.
 */
export function lifecyclePolicy(args: {
  usersTableArn: string;
  streamArn: string;
  lobsTableArn: string;
  logGroupArn: string;
}): PolicyDocument {
  return policyDocument(
    {
      Sid: "ReadEntitlementChanges",
      Effect: "Allow",
      Action: [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
      ],
      Resource: args.streamArn,
    },
    {
      // Each record's row is read again: the row, not the event, decides.
      Sid: "ReadEntitlementsAndLobs",
      Effect: "Allow",
      Action: "dynamodb:GetItem",
      Resource: [args.usersTableArn, args.lobsTableArn],
    },
    {
      Sid: "RecordOffboarding",
      Effect: "Allow",
      Action: "dynamodb:UpdateItem",
      Resource: args.usersTableArn,
      Condition: {
        "ForAllValues:StringEquals": { "dynamodb:Attributes": [...LIFECYCLE_ROW_ATTRIBUTES] },
        // Never a disabled marker: only an admin lifts a disable.
        "ForAllValues:StringNotEquals": { "dynamodb:LeadingKeys": [DISABLED_PARTITION] },
        // UpdateItem's ReturnValues "always has a value (NONE unless otherwise specified)" (the
        // same page), so StringEquals, not ...IfExists.
        StringEquals: { "dynamodb:ReturnValues": "NONE" },
      },
    },
    writeLogs(args.logGroupArn),
    attachToVpc("AttachToHubVpc"),
  );
}

/** Trust of the hub's admin role: the principals the hub config names as admins, nothing else. */
export function adminTrustPolicy(args: { admins: readonly string[] }): PolicyDocument {
  return policyDocument({
    Sid: "ConfiguredAdminsOnly",
    Effect: "Allow",
    Principal: { AWS: [...args.admins].sort() },
    Action: "sts:AssumeRole",
  });
}

/**
 * What `studio-access admin` may do: disable a user of the pool and enable them again (`admin grant
 * --enable`), read the LOBs, read entitlements and disabled markers, grant (put) and revoke
 * (update) them. Not delete: a revoked row is offboarded by the lifecycle function and stays,
 * so an admin can neither skip offboarding nor erase a revocation.
 */
export function adminPolicy(args: {
  usersTableArn: string;
  lobsTableArn: string;
  userPoolArn: string;
}): PolicyDocument {
  return policyDocument(
    {
      Sid: "DisableAndEnableUsers",
      Effect: "Allow",
      Action: ["cognito-idp:AdminDisableUser", "cognito-idp:AdminEnableUser"],
      Resource: args.userPoolArn,
    },
    {
      Sid: "ReadLobs",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Scan"],
      Resource: args.lobsTableArn,
    },
    {
      Sid: "GrantRevokeAndList",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      Resource: [args.usersTableArn, `${args.usersTableArn}/index/*`],
    },
  );
}

export function authorizerPolicy(args: { logGroupArn: string }): PolicyDocument {
  return policyDocument(writeLogs(args.logGroupArn));
}

/** The portal's inline rights: its own logs, nothing else (it serves what its bundle embeds). */
export function portalPolicy(args: { logGroupArn: string }): PolicyDocument {
  return policyDocument(writeLogs(args.logGroupArn));
}

/**
 * The presigner's inline rights: read entitlements and LOBs, its logs, the hub VPC. Assuming the
 * LOBs' access and provisioning roles is granted by `assumeRolesPolicies`, attached beside it.
 */
export function presignerPolicy(args: {
  usersTableArn: string;
  lobsTableArn: string;
  logGroupArn: string;
}): PolicyDocument {
  return policyDocument(
    {
      Sid: "ReadEntitlementsAndLobs",
      Effect: "Allow",
      Action: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"],
      Resource: [args.usersTableArn, `${args.usersTableArn}/index/*`, args.lobsTableArn],
    },
    writeLogs(args.logGroupArn),
    attachToVpc("AttachToHubVpc"),
  );
}

/**
 * `sts:AssumeRole` on exactly these roles, as customer-managed policies of at most 6,144
 * characters each (IAM's quota per managed policy; a role's inline policies share 10,240
 * characters, which 83 LOBs' roles would fill). ARNs are sorted and packed in order, so a hub
 * with N LOBs needs about N / 42 policies for the presigner and N / 85 for the lifecycle function,
 * each attached to the role (IAM's default quota: 10 per role).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export function assumeRolesPolicies(sid: string, roleArns: readonly string[]): PolicyDocument[] {
  const limit = QUOTAS.managedPolicyCharacters.limit;
  const of = (arns: readonly string[]) =>
    policyDocument({ Sid: sid, Effect: "Allow", Action: "sts:AssumeRole", Resource: [...arns] });
  // The document's length is counted as ARNs are added (each adds its JSON string, and a comma
  // after the first) rather than serialised again each time: a hub of hundreds of LOBs is
  // checked at every config parse.
  const empty = JSON.stringify(of([])).length;
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = empty;
  for (const arn of [...new Set(roleArns)].sort()) {
    const added = JSON.stringify(arn).length;
    if (current.length > 0 && length + 1 + added > limit) {
      chunks.push(current);
      current = [];
      length = empty;
    }
    if (empty + added > limit)
      throw new Error(`the role ARN ${arn} alone exceeds ${String(limit)} characters`);
    length += added + (current.length > 0 ? 1 : 0);
    current.push(arn);
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map(of);
}

/**
 * The SAML entry's inline rights: the presigner's (read entitlements and LOBs, logs, the hub VPC),
 * and its own replay table's rows, assertion and choice ones only. It assumes the access roles
 * through the same `assumeRolesPolicies` as the presigner.
 */
export function samlEntryPolicy(args: {
  usersTableArn: string;
  lobsTableArn: string;
  replayTableArn: string;
  logGroupArn: string;
}): PolicyDocument {
  const presigner = presignerPolicy(args);
  return policyDocument(...presigner.Statement, {
    Sid: "RecordAssertionsAndChoices",
    Effect: "Allow",
    Action: ["dynamodb:PutItem", "dynamodb:DeleteItem"],
    Resource: args.replayTableArn,
    // ForAllValues holds for a request with no keys at all; the Null guard refuses such a one.
    Condition: {
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["assertion#*", "choice#*"] },
      Null: { "dynamodb:LeadingKeys": "false" },
    },
  });
}
