import { DISABLED_PARTITION } from "../../functions/shared/tables";
import { QUOTAS } from "../lib/quotas";
import { attachToVpc, policyDocument, writeLogs, type PolicyDocument } from "./document";
import { anyAccountRoleArn } from "./role-names";

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
 * --enable`), look a user of the pool up (`admin grant` warns of a name it lacks), read the LOBs, read entitlements and disabled markers, grant (put) and revoke
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
      // admin grant warns of a username the pool does not have (a typo, or an IdP-only user).
      Sid: "LookUpUsers",
      Effect: "Allow",
      Action: "cognito-idp:AdminGetUser",
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
 * `sts:AssumeRole` on exactly these role names (with their paths) in exactly these accounts (#22):
 * each role as `arn:aws:iam::*:role/<path/name>` (a wildcard in the account field only; the name
 * is exact, so another name or path matches nothing) and `aws:ResourceAccount` over the LOB
 * accounts, one list serving every name. As tight as listing each ARN (the same set of roles
 * matches) and 15 characters per LOB instead of an ARN per role and LOB. `aws:ResourceAccount` is
 * the account that owns the resource, the role here ("AWS global condition context keys",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceaccount).
 * Customer-managed policies of at most 6,144 characters each (IAM's quota per managed policy):
 * accounts are sorted and packed in order, about 390 per policy, each attached to the role (IAM's
 * default quota: 10 per role). IAM quotas:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export function assumeRolesPolicies(
  sid: string,
  roleNames: readonly string[],
  accountIds: readonly string[],
): PolicyDocument[] {
  const limit = QUOTAS.managedPolicyCharacters.limit;
  const resources = [...new Set(roleNames)].sort().map(anyAccountRoleArn);
  for (const name of roleNames)
    if (!/^[\w+=,.@/-]+$/.test(name) || name.startsWith("/"))
      throw new Error(`${JSON.stringify(name)} is not an IAM role path and name`);
  const of = (accounts: readonly string[]) =>
    policyDocument({
      Sid: sid,
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: resources,
      Condition: { StringEquals: { "aws:ResourceAccount": [...accounts] } },
    });
  // The document's length is counted as accounts are added (each adds its JSON string, and a
  // comma after the first) rather than serialised again each time: a hub of hundreds of LOBs is
  // checked at every config parse.
  const empty = JSON.stringify(of([])).length;
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = empty;
  for (const account of [...new Set(accountIds)].sort()) {
    if (!/^\d{12}$/.test(account)) throw new Error(`${account} is not an AWS account id`);
    const added = JSON.stringify(account).length;
    if (current.length > 0 && length + 1 + added > limit) {
      chunks.push(current);
      current = [];
      length = empty;
    }
    if (empty + added > limit)
      throw new Error(`the role names ${roleNames.join(", ")} exceed ${String(limit)} characters`);
    length += added + (current.length > 0 ? 1 : 0);
    current.push(account);
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
