import type { RecordedResource } from "./mock-stack";

interface Statement {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const text = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(text) : v === undefined ? [] : [text(v)];

function statements(policy: unknown): Statement[] {
  if (typeof policy !== "string") return [];
  return (JSON.parse(policy) as { Statement: Statement[] }).Statement;
}

function describeStatement(s: Statement): string {
  const principal = s.Principal === undefined ? "" : ` by ${JSON.stringify(s.Principal)}`;
  const condition = s.Condition ? ` if ${JSON.stringify(s.Condition)}` : "";
  const resources = s.Resource === undefined ? "" : ` on ${list(s.Resource).join(", ")}`;
  return `${s.Effect} ${list(s.Action).join(",")}${principal}${resources}${condition}`;
}

function rule(i: Record<string, unknown>): string {
  const ports =
    i.ipProtocol === "-1"
      ? "all traffic"
      : `${String(i.ipProtocol)}/${String(i.fromPort)}-${String(i.toPort)}`;
  const group = i.referencedSecurityGroupId;
  const peer =
    i.cidrIpv4 ??
    i.prefixListId ??
    (group === undefined ? "?" : group === i.securityGroupId ? "itself" : `group ${text(group)}`);
  return `${ports} ${text(peer)}`;
}

/** One line of the settings that matter for security, per resource type; empty for the rest. */
export function describeResource(r: RecordedResource): string {
  const i = r.inputs;
  switch (r.type) {
    case "aws:ec2/vpcEndpoint:VpcEndpoint": {
      const policy = statements(i.policy).map(describeStatement).join("; ");
      return `${String(i.serviceName)} (${String(i.vpcEndpointType)}${i.vpcEndpointType === "Interface" ? `, private DNS ${i.privateDnsEnabled ? "ON" : "off"}` : ""})${i.vpcEndpointType === "Interface" ? `; policy: ${policy || "NONE (full access)"}` : ""}`;
    }
    case "aws:cognito/userPool:UserPool": {
      const password = (i.passwordPolicy ?? {}) as {
        minimumLength?: number;
        temporaryPasswordValidityDays?: number;
      };
      const admin = (i.adminCreateUserConfig ?? {}) as Record<string, unknown>;
      return `password ${String(password.minimumLength ?? 8)}+ characters (temporary ${String(password.temporaryPasswordValidityDays ?? 7)} days), admin-created users only ${admin.allowAdminCreateUserOnly ? "yes" : "NO"}, MFA ${text(i.mfaConfiguration ?? "OFF")} (TOTP ${(i.softwareTokenMfaConfiguration as { enabled?: boolean } | undefined)?.enabled ? "on" : "off"}), deletion protection ${String(i.deletionProtection)}, threat protection ${(i.userPoolAddOns as { advancedSecurityMode?: string } | undefined)?.advancedSecurityMode ?? "off"}`;
    }
    case "aws:apigateway/authorizer:Authorizer":
      return `${String(i.type)} on ${String(i.identitySource)}, decisions cached ${text(i.authorizerResultTtlInSeconds ?? 300)} s`;
    case "aws:kms/key:Key":
      return `rotation ${i.enableKeyRotation ? "on" : "OFF"}; ${statements(i.policy).map(describeStatement).join("; ")}`;
    case "aws:cloudtrail/trail:Trail":
      return `data events: ${((i.advancedEventSelectors as { name?: string }[] | undefined) ?? []).map((e) => String(e.name)).join(", ")}; log file validation ${i.enableLogFileValidation ? "on" : "OFF"}`;
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      return `in  ${rule(i)}`;
    case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
      return `out ${rule(i)}`;
    case "aws:ec2transitgateway/transitGateway:TransitGateway":
      return `default association ${String(i.defaultRouteTableAssociation)}, propagation ${String(i.defaultRouteTablePropagation)}, auto-accept ${String(i.autoAcceptSharedAttachments)}`;
    case "aws:ec2/vpc:Vpc":
    case "aws:ec2/subnet:Subnet":
      return String(i.cidrBlock);
    case "aws:ec2/route:Route":
      return `${String(i.destinationCidrBlock)} -> transit gateway`;
    case "aws:ec2transitgateway/route:Route":
      return `${String(i.destinationCidrBlock)} -> attachment ${String(i.transitGatewayAttachmentId)}`;
    case "aws:ec2/vpnConnection:VpnConnection":
      return `${String(i.type)} on the transit gateway, ${i.staticRoutesOnly ? "static routes" : "BGP"}`;
    case "aws:ec2/customerGateway:CustomerGateway":
      return `${String(i.ipAddress)}, ASN ${String(i.bgpAsn)}`;
    case "aws:route53/zone:Zone":
      return String(i.name);
    case "aws:route53/record:Record":
      return `${String(i.name)} ALIAS ${String((i.aliases as { name: string }[] | undefined)?.[0]?.name)}`;
    case "aws:iam/role:Role":
      return `trust: ${statements(i.assumeRolePolicy).map(describeStatement).join("; ")}`;
    case "aws:iam/rolePolicy:RolePolicy":
    case "aws:iam/policy:Policy":
      return statements(i.policy).map(describeStatement).join("; ");
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return `role ${String(i.role)} <- ${String(i.policyArn)}`;
    case "aws:apigateway/restApi:RestApi":
      return `${String((i.endpointConfiguration as { types?: string } | undefined)?.types)}; ${statements(i.policy).map(describeStatement).join("; ")}`;
    case "aws:apigateway/domainName:DomainName":
      return `${String(i.domainName)}: ${String((i.endpointConfiguration as { types?: string } | undefined)?.types)}, ${String(i.securityPolicy)}, certificate ${String(i.certificateArn)}; ${statements(i.policy).map(describeStatement).join("; ")}`;
    case "aws:apigateway/basePathMapping:BasePathMapping":
      return `${String(i.domainName)}/${typeof i.basePath === "string" ? i.basePath : ""} -> API ${String(i.restApi)} stage ${String(i.stageName)}`;
    case "aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation":
      return `${String(i.accessAssociationSourceType)} ${String(i.accessAssociationSource)} may invoke ${String(i.domainNameArn)}`;
    case "aws:apigateway/method:Method":
      return `${String(i.httpMethod)} authorization ${String(i.authorization)}`;
    case "aws:dynamodb/table:Table":
      return `PITR ${(i.pointInTimeRecovery as { enabled?: boolean } | undefined)?.enabled ? "on" : "OFF"}, encrypted ${(i.serverSideEncryption as { enabled?: boolean } | undefined)?.enabled ? "KMS" : "default"}, ${String(i.billingMode)}, deletion protection ${i.deletionProtectionEnabled ? "on" : "off"}`;
    case "aws:budgets/budget:Budget": {
      const alerts = (
        (i.notifications ?? []) as { notificationType: string; threshold: number }[]
      ).map((n) => `${n.threshold}% ${n.notificationType.toLowerCase()}`);
      const filters = ((i.costFilters ?? []) as { name: string; values: string[] }[])
        .map((f) => `${f.name} ${f.values.join(",")}`)
        .join("; ");
      return `${String(i.name)}: ${String(i.limitAmount)} ${String(i.limitUnit)} ${String(i.timeUnit).toLowerCase()} ${String(i.budgetType).toLowerCase()}, costs with ${filters || "NO FILTER (the whole account)"}; alerts at ${alerts.join(", ")}`;
    }
    case "aws:sns/topic:Topic":
      // A topic Pulumi autonames (the alarm topic) has its name only in its state.
      return `${text(i.name ?? r.state.name)}, encrypted ${i.kmsMasterKeyId ? `with ${text(i.kmsMasterKeyId)}` : "NO"}`;
    case "aws:sns/topicPolicy:TopicPolicy":
      return statements(i.policy).map(describeStatement).join("; ");
    case "aws:sns/topicSubscription:TopicSubscription":
      return `${String(i.protocol)} ${String(i.endpoint)}`;
    case "aws:lambda/function:Function": {
      const variables =
        (i.environment as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
      const env = Object.entries(variables)
        .map(([k, v]) => `${k}=${text(v)}`)
        .join(" ");
      const mount = i.fileSystemConfig as { localMountPath?: string } | undefined;
      const where = !i.vpcConfig
        ? ""
        : r.providerName === "hub" || !r.providerName || r.account === undefined || !mount
          ? ", in the hub VPC"
          : `, in the LOB VPC, EFS mounted at ${String(mount.localMountPath)}`;
      return `${String(i.runtime)}, timeout ${String(i.timeout)} s${where}; environment ${env || "none"}`;
    }
    case "aws:cognito/userPoolClient:UserPoolClient": {
      const units = (i.tokenValidityUnits ?? {}) as Record<string, string>;
      return `flows ${list(i.explicitAuthFlows).join(",")}; access token ${String(i.accessTokenValidity)} ${units.accessToken ?? "hours"}, refresh token ${String(i.refreshTokenValidity)} ${units.refreshToken ?? "days"}; secret ${i.generateSecret ? "yes" : "none"}; revocation ${i.enableTokenRevocation ? "on" : "OFF"}; user existence errors ${text(i.preventUserExistenceErrors ?? "LEGACY")}`;
    }
    case "aws:cloudwatch/logGroup:LogGroup":
      return `retention ${String(i.retentionInDays)} days`;
    case "aws:cloudwatch/metricAlarm:MetricAlarm": {
      const queries = i.metricQueries as { id: string; expression?: string }[] | undefined;
      const metric = queries
        ? (queries.find((q) => q.expression)?.expression ?? "metric math")
        : `${String(i.namespace)} ${String(i.metricName)} ${text(i.statistic ?? i.extendedStatistic)}`;
      const actions = list(i.alarmActions);
      return `${metric} ${String(i.comparisonOperator)} ${text(i.threshold)}, ${text(i.datapointsToAlarm)} of ${text(i.evaluationPeriods)} × ${text(i.period ?? 300)} s, missing data ${text(i.treatMissingData)}; notifies ${actions.length > 0 ? actions.join(", ") : "NOBODY (set alarms: {email} or {topicArn})"}`;
    }
    case "aws:sqs/queue:Queue":
      return `retention ${String(i.messageRetentionSeconds)} s, encrypted ${i.sqsManagedSseEnabled ? "SSE-SQS" : i.kmsMasterKeyId ? "SSE-KMS" : "NO"}`;
    case "aws:sagemaker/domain:Domain":
      return `auth ${String(i.authMode)}, network ${String(i.appNetworkAccessType)}, home EFS ${String((i.retentionPolicy as { homeEfsFileSystem?: string } | undefined)?.homeEfsFileSystem)}`;
    case "aws:sagemaker/userProfile:UserProfile":
      return String(i.userProfileName);
    case "aws:dynamodb/tableItem:TableItem":
      return String(i.item);
    case "aws:ram/principalAssociation:PrincipalAssociation":
      return `shared with ${String(i.principal)}`;
    case "aws:cognito/user:User":
      return String(i.username);
    default:
      return "";
  }
}
