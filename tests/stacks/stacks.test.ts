import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { ConfigError, withLobsInline } from "../../stacks/config";
import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  toPulumiConfig,
  type StackRun,
} from "../../scripts/lib/mock-stack";
import {
  attachedDocuments,
  HUB_ACCOUNT,
  LOB_A_ACCOUNT,
  LOB_B_ACCOUNT,
  ofType,
  one,
  planRepositoryStacks,
  type Planned,
} from "../helpers/stacks";

let planned: Planned;
beforeAll(async () => {
  planned = await planRepositoryStacks();
}, 60_000);

const countByType = (run: StackRun, account?: string) => {
  const counts: Record<string, number> = {};
  for (const r of run.resources.filter(
    (r) => r.custom && (account === undefined || r.account === account),
  )) {
    counts[r.type] = (counts[r.type] ?? 0) + 1;
  }
  return counts;
};

/** The hub-side pieces a LOB stack owns: created and destroyed with it, in the hub account. */
const HUB_SIDE = {
  // The LOB record and one entitlement per member and team.
  "aws:dynamodb/tableItem:TableItem": 2,
  "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": 1,
  "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": 1,
  "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter": 1,
  "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization": 6,
};
const LOB_SIDE = {
  "aws:ec2/route:Route": 1,
  "aws:ec2/routeTable:RouteTable": 1,
  "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
  "aws:ec2/securityGroup:SecurityGroup": 1,
  "aws:ec2/subnet:Subnet": 2,
  "aws:ec2/vpc:Vpc": 1,
  // S3 through a gateway endpoint.
  "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
  "aws:ec2transitgateway/vpcAttachment:VpcAttachment": 1,
  // Access, provisioning, lifecycle, usage reader (admin usage, #21), the domain's default
  // execution role, one execution role per team; no user profile (each is made on its user's
  // first sign-in).
  "aws:iam/role:Role": 6,
  // Their policies: one each, and a team role's Studio, ABAC and deny list; the instance types
  // of the default role and each team role (#21).
  "aws:iam/rolePolicy:RolePolicy": 10,
  "aws:route53/zoneAssociation:ZoneAssociation": 6,
  "aws:sagemaker/domain:Domain": 1,
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 3,
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 1,
};
/** lob-a has two teams (analytics, forecasting with one managed policy) and three memberships. */
const SIDES = {
  "lob-a": {
    lob: {
      ...LOB_SIDE,
      "aws:iam/role:Role": 8,
      "aws:iam/rolePolicy:RolePolicy": 15,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
      // homeDirectories: remove, the home-directory function with its access point, log group,
      // role, security group (NFS out) and rule on SageMaker's inbound NFS group.
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:ec2/securityGroup:SecurityGroup": 2,
      "aws:efs/accessPoint:AccessPoint": 1,
      "aws:lambda/function:Function": 1,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 4,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 2,
    },
    hub: { ...HUB_SIDE, "aws:dynamodb/tableItem:TableItem": 5 },
  },
  // lob-b: two members.
  "lob-b": { lob: LOB_SIDE, hub: { ...HUB_SIDE, "aws:dynamodb/tableItem:TableItem": 3 } },
};

describe("the shared stack", () => {
  it("puts every resource in the hub account through the one explicit hub provider", () => {
    expect(
      planned.shared.providers.map((p) => [p.name, p.inputs.region, p.account, p.inputs.profile]),
    ).toEqual([["hub", "us-east-1", HUB_ACCOUNT, "studio-access-hub"]]);
    const custom = planned.shared.resources.filter((r) => r.custom);
    expect(custom.filter((r) => r.providerName !== "hub" || r.account !== HUB_ACCOUNT)).toEqual([]);
  });

  it("declares exactly these resources", () => {
    expect(countByType(planned.shared)).toEqual({
      "aws:apigateway/account:Account": 1,
      "aws:apigateway/authorizer:Authorizer": 1,
      "aws:apigateway/basePathMapping:BasePathMapping": 1,
      "aws:apigateway/deployment:Deployment": 1,
      "aws:apigateway/domainName:DomainName": 1,
      "aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation": 1,
      "aws:apigateway/integration:Integration": 5,
      "aws:apigateway/method:Method": 5,
      "aws:apigateway/methodSettings:MethodSettings": 1,
      "aws:apigateway/resource:Resource": 5,
      "aws:apigateway/restApi:RestApi": 1,
      "aws:apigateway/stage:Stage": 1,
      "aws:cloudtrail/trail:Trail": 1,
      // #21: one dashboard; refusals (total and by reason), first sign-ins, offboardings,
      // drain-failed; the API's two alarms, three per function (four), refusals, failed records
      // and drain-failed.
      "aws:cloudwatch/dashboard:Dashboard": 1,
      "aws:cloudwatch/logMetricFilter:LogMetricFilter": 5,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 17,
      "aws:cloudwatch/logGroup:LogGroup": 5,
      "aws:cognito/user:User": 5,
      "aws:cognito/userPool:UserPool": 1,
      "aws:cognito/userPoolClient:UserPoolClient": 1,
      "aws:dynamodb/table:Table": 2,
      // The corporate link: a Site-to-Site VPN on the transit gateway.
      "aws:ec2/customerGateway:CustomerGateway": 1,
      "aws:ec2/vpnConnection:VpnConnection": 1,
      // The way back to each spoke, owned by the hub, and to the corporate range.
      "aws:ec2/route:Route": 3,
      "aws:ec2/routeTable:RouteTable": 1,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
      // Endpoints (hub and spokes), endpoints for corporate clients, the presigner.
      "aws:ec2/securityGroup:SecurityGroup": 3,
      "aws:ec2/subnet:Subnet": 2,
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/vpcEndpoint:VpcEndpoint": 9,
      // hub, spokes, corporate.
      "aws:ec2transitgateway/routeTable:RouteTable": 3,
      "aws:ec2transitgateway/route:Route": 1,
      "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": 2,
      "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": 2,
      "aws:ec2transitgateway/transitGateway:TransitGateway": 1,
      "aws:ec2transitgateway/vpcAttachment:VpcAttachment": 1,
      // Authorizer, presigner, API Gateway logging, and a deployer role per LOB.
      "aws:iam/role:Role": 8,
      // ...and the lifecycle role's SendMessage to its on-failure queue (#21).
      "aws:iam/rolePolicy:RolePolicy": 8,
      // The presigner's, the lifecycle function's and the admin role's (the LOBs' usage readers,
      // #21) AssumeRole grants, attached to their roles; API Gateway's managed logging policy.
      "aws:iam/policy:Policy": 3,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4,
      "aws:kms/key:Key": 1,
      "aws:lambda/eventSourceMapping:EventSourceMapping": 1,
      "aws:lambda/function:Function": 4,
      "aws:lambda/permission:Permission": 6,
      "aws:ram/principalAssociation:PrincipalAssociation": 2,
      "aws:ram/resourceAssociation:ResourceAssociation": 1,
      "aws:ram/resourceShare:ResourceShare": 1,
      "aws:route53/record:Record": 9,
      "aws:route53/zone:Zone": 9,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      // The lifecycle's on-failure destination (#21).
      "aws:sqs/queue:Queue": 1,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 2,
      // HTTPS from the hub, from each spoke, and from the corporate range.
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 4,
    });
  });

  it("publishes what the LOB stacks read", () => {
    expect(Object.keys(planned.shared.outputs).sort()).toEqual(
      [
        "accessRoleName",
        "adminConfigure",
        "adminRoleArn",
        "apiUrl",
        "availabilityZoneIds",
        "cliConfigure",
        "corporate",
        // Where an operator looks first (#21); alarmTopicArn only with alarms configured.
        "dashboardName",
        "deployerRoleArns",
        "endpointIds",
        "failedRecordsQueueUrl",
        "hubAccountId",
        "hubTgwRouteTableId",
        "idleShutdown",
        "lifecycleRoleArn",
        "lobAccountScp",
        "lobs",
        "lobsTableName",
        "organizationId",
        "presignerRoleArn",
        "region",
        // The replacement guard's fingerprints, which the next update compares with (#21).
        "replacementGuard",
        "spokesTgwRouteTableId",
        "transitGatewayId",
        "userPoolClientId",
        "userPoolId",
        "usernames",
        "usersTableName",
        "vpcCidr",
        "vpcId",
        "zoneIds",
      ].sort(),
    );
  });

  it("outputs the studio-access configure line, ready to paste, with the deployed values", () => {
    const { outputs } = planned.shared;
    expect(outputs.cliConfigure).toBe(
      `studio-access configure --api-url ${String(outputs.apiUrl)} --user-pool-id ${String(outputs.userPoolId)} --client-id ${String(outputs.userPoolClientId)} --region us-east-1`,
    );
    // The repository's hub config sets apiDomain (#20): the stage is mapped at the name's root.
    expect(String(outputs.apiUrl)).toBe("https://studio.corp.example.com/");
  });
});

describe("the LOB stacks", () => {
  it.each([
    ["lob-a", LOB_A_ACCOUNT],
    ["lob-b", LOB_B_ACCOUNT],
  ])(
    "%s: every resource has an explicit provider and lands in the LOB's or the hub's account, exactly as listed",
    (stack, account) => {
      const run = stack === "lob-a" ? planned.lobA : planned.lobB;
      // Destroy-time clean-up runs in the Pulumi host with the stack's own profile (tested below).
      const custom = run.resources.filter(
        (r) => r.custom && !r.type.startsWith("pulumi-nodejs:dynamic/"),
      );
      expect(custom.filter((r) => r.providerName === undefined)).toEqual([]);
      expect(new Set(custom.map((r) => `${r.providerName ?? "?"}@${r.account ?? "?"}`))).toEqual(
        new Set([`${stack}@${account}`, `hub@${HUB_ACCOUNT}`]),
      );
      expect(countByType(run, account)).toEqual(SIDES[stack as "lob-a" | "lob-b"].lob);
      expect(countByType(run, HUB_ACCOUNT)).toEqual(SIDES[stack as "lob-a" | "lob-b"].hub);
    },
  );

  it("restricts each provider to its account; each LOB reaches the hub only through its own deployer role", () => {
    const providers = (run: StackRun) =>
      Object.fromEntries(
        run.providers.map((p) => [
          p.name,
          {
            region: p.inputs.region,
            account: p.account,
            profile: p.inputs.profile,
            assumeRoles:
              typeof p.inputs.assumeRoles === "string"
                ? (JSON.parse(p.inputs.assumeRoles) as unknown)
                : p.inputs.assumeRoles,
          },
        ]),
      );
    for (const [run, lob, account] of [
      [planned.lobA, "lob-a", LOB_A_ACCOUNT],
      [planned.lobB, "lob-b", LOB_B_ACCOUNT],
    ] as const) {
      expect(providers(run)).toEqual({
        [lob]: {
          region: "us-east-1",
          account,
          profile: `studio-access-${lob}`,
          assumeRoles: undefined,
        },
        hub: {
          region: "us-east-1",
          account: HUB_ACCOUNT,
          // The LOB account's own credentials, then the role the hub made for this LOB.
          profile: `studio-access-${lob}`,
          assumeRoles: [
            {
              roleArn: `arn:aws:iam::111111111111:role/studio-access-${lob}-deployer`,
              sessionName: `studio-access-${lob}`,
            },
          ],
        },
      });
    }
  });

  it("runs destroy-time clean-up with the LOB stack's own profile and region", () => {
    const cleanup = planned.lobA.resources.filter((r) =>
      r.type.startsWith("pulumi-nodejs:dynamic/"),
    );
    expect(cleanup.map((r) => [r.type, r.inputs.profile, r.inputs.region])).toEqual([
      ["pulumi-nodejs:dynamic/studio-access:NfsSweep", "studio-access-lob-a", "us-east-1"],
      ["pulumi-nodejs:dynamic/studio-access:StudioDrain", "studio-access-lob-a", "us-east-1"],
    ]);
  });

  it("takes hubRoleArn instead of the hub's deployer role when it is set", async () => {
    const run = await runStackUnderMocks({
      stack: "lob-a",
      config: {
        ...loadStackConfig("lob-a"),
        "studio-access:hubRoleArn": "arn:aws:iam::111111111111:role/break-glass",
      },
      stackOutputs: { [fullStackName("shared")]: planned.shared.outputs },
    });
    const hub = run.providers.find((p) => p.name === "hub");
    expect(JSON.parse(String(hub?.inputs.assumeRoles))).toEqual([
      { roleArn: "arn:aws:iam::111111111111:role/break-glass", sessionName: "studio-access-lob-a" },
    ]);
  });

  it("leaves no transit gateway path from one spoke to another", () => {
    const runs = [planned.shared, planned.lobA, planned.lobB];
    const all = runs.flatMap((r) => r.resources);
    // Which VPC range sits behind each attachment, as the program wired them.
    const cidrOfVpc = new Map(
      all
        .filter((r) => r.type === "aws:ec2/vpc:Vpc")
        .map((v) => [v.id, String(v.inputs.cidrBlock)]),
    );
    const cidrOfAttachment = new Map(
      all
        .filter((r) => r.type === "aws:ec2transitgateway/vpcAttachment:VpcAttachment")
        .map((a) => [a.id, cidrOfVpc.get(String(a.inputs.vpcId))]),
    );
    const tables: Record<string, string> = Object.fromEntries(
      ofType(planned.shared, "aws:ec2transitgateway/routeTable:RouteTable").map((t) => [
        t.id,
        t.name,
      ]),
    );
    const reachable = (attachmentCidr: string) => {
      const attachment = [...cidrOfAttachment].find(([, cidr]) => cidr === attachmentCidr)?.[0];
      const associations = all.filter(
        (r) =>
          r.type === "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation" &&
          r.inputs.transitGatewayAttachmentId === attachment,
      );
      expect(associations).toHaveLength(1);
      const table = associations[0]!.inputs.transitGatewayRouteTableId;
      return {
        table: tables[String(table)],
        routes: all
          .filter(
            (r) =>
              r.type === "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation" &&
              r.inputs.transitGatewayRouteTableId === table,
          )
          .map((p) => cidrOfAttachment.get(String(p.inputs.transitGatewayAttachmentId)))
          .sort(),
      };
    };
    // The only static route: the hub table's way back to the corporate range, via its attachment.
    const corporate = one(planned.shared, "aws:ec2/vpnConnection:VpnConnection", "corporate-vpn")
      .state.transitGatewayAttachmentId;
    expect(
      all
        .filter((r) => r.type === "aws:ec2transitgateway/route:Route")
        .map((r) => [
          tables[String(r.inputs.transitGatewayRouteTableId)],
          r.inputs.destinationCidrBlock,
          r.inputs.transitGatewayAttachmentId === corporate,
        ]),
    ).toEqual([["hub-tgw-hub", "10.200.0.0/16", true]]);
    expect(reachable("10.1.0.0/16")).toEqual({ table: "hub-tgw-spokes", routes: ["10.0.0.0/16"] });
    expect(reachable("10.2.0.0/16")).toEqual({ table: "hub-tgw-spokes", routes: ["10.0.0.0/16"] });
    expect(reachable("10.0.0.0/16")).toEqual({
      table: "hub-tgw-hub",
      routes: ["10.1.0.0/16", "10.2.0.0/16"],
    });
    // The corporate attachment's table holds the hub VPC alone: never a spoke.
    const corporateTable = all.find(
      (r) =>
        r.type === "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation" &&
        r.inputs.transitGatewayAttachmentId === corporate,
    )?.inputs.transitGatewayRouteTableId;
    expect(tables[String(corporateTable)]).toBe("corporate-tgw");
    expect(
      all
        .filter(
          (r) =>
            r.type === "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation" &&
            r.inputs.transitGatewayRouteTableId === corporateTable,
        )
        .map((p) => cidrOfAttachment.get(String(p.inputs.transitGatewayAttachmentId))),
    ).toEqual(["10.0.0.0/16"]);
  });
});

describe("adding a LOB", () => {
  it("needs only a hub config entry and a stack file: lob-c lands in its own account and the presigner may assume its role", async () => {
    // The example hub's LOBs (lobs.yaml) inline, with lob-c added.
    const base = withLobsInline(loadStackConfig("shared"), process.cwd());
    const sharedConfig = {
      ...base,
      "studio-access:lobs": JSON.stringify({
        ...(JSON.parse(base["studio-access:lobs"]!) as object),
        "lob-c": {
          accountId: "444444444444",
          vpcCidr: "10.3.0.0/16",
          deployer: "arn:aws:iam::444444444444:role/studio-access-deployer",
        },
      }),
      // lob-c's members are users of the pool the hub manages.
      "studio-access:users": JSON.stringify([
        ...(JSON.parse(base["studio-access:users"]!) as object[]),
        { username: "carol", email: "carol@example.com" },
        { username: "dave", email: "dave@example.com" },
      ]),
    };
    const shared = await runStackUnderMocks({ stack: "shared", config: sharedConfig });
    const lobC = await runStackUnderMocks({
      stack: "lob-c",
      config: toPulumiConfig({
        "pulumi:disable-default-providers": ["*"],
        "aws:region": "us-east-1",
        "aws:profile": "studio-access-lob-c",
        kind: "lob",
        lob: "lob-c",
        sharedStack: fullStackName("shared"),
        members: ["carol", "dave"],
      }),
      stackOutputs: { [fullStackName("shared")]: shared.outputs },
    });
    const [grant, ...more] = attachedDocuments(shared, "access-presigner") as {
      Statement: { Sid: string; Resource: unknown; Condition: unknown }[];
    }[];
    expect(more).toEqual([]);
    const assume = grant?.Statement.find((s) => s.Sid === "AssumeLobAccessRoles");
    // The same role names; the new LOB's account joins the list (#22).
    expect(assume?.Resource).toEqual([
      "arn:aws:iam::*:role/StudioAccessRole",
      "arn:aws:iam::*:role/StudioAccessRole-provisioner",
    ]);
    expect(assume?.Condition).toEqual({
      StringEquals: { "aws:ResourceAccount": ["222222222222", "333333333333", "444444444444"] },
    });
    expect(
      one(shared, "aws:ram/principalAssociation:PrincipalAssociation", "hub-tgw-share-lob-c").inputs
        .principal,
    ).toBe("444444444444");
    expect(one(shared, "aws:iam/role:Role", "lob-c-deployer").inputs.assumeRolePolicy).toContain(
      "arn:aws:iam::444444444444:role/studio-access-deployer",
    );
    expect(countByType(lobC, "444444444444")).toEqual(LOB_SIDE);
    expect(countByType(lobC, HUB_ACCOUNT)).toEqual({
      ...HUB_SIDE,
      "aws:dynamodb/tableItem:TableItem": 3,
    });
    expect(lobC.outputs.teams).toEqual({
      default: { carol: "carol-jqtnsb2me7mj5xsz", dave: "dave-mhvaqa7yqu2shn3x" },
    });
    expect(lobC.outputs).toMatchObject({
      lob: "lob-c",
      accountId: "444444444444",
    });
  });
});

describe("LOB stack checks against the hub", () => {
  const hubOutputs = () => ({ [fullStackName("shared")]: planned.shared.outputs });

  it("fails clearly when its LOB is not in the hub's lobs", async () => {
    await expect(
      runStackUnderMocks({
        stack: "lob-z",
        config: { ...loadStackConfig("lob-a"), "studio-access:lob": "lob-z" },
        stackOutputs: hubOutputs(),
      }),
    ).rejects.toThrow(
      "studio-access:lob is \"lob-z\": expected a LOB of the hub's lobs (lob-a, lob-b); add it to the shared stack's config and update that stack first",
    );
  });

  it("fails clearly when its region is not the hub's", async () => {
    await expect(
      runStackUnderMocks({
        stack: "lob-a",
        config: { ...loadStackConfig("lob-a"), "aws:region": "eu-west-1" },
        stackOutputs: hubOutputs(),
      }),
    ).rejects.toThrow(
      'aws:region is "eu-west-1": expected the hub\'s region "us-east-1" (PrivateLink endpoints are regional)',
    );
  });

  it("fails clearly when the hub stack has not been deployed (no outputs)", async () => {
    await expect(
      runStackUnderMocks({ stack: "lob-a", config: loadStackConfig("lob-a"), stackOutputs: {} }),
    ).rejects.toThrow(
      "the hub stack example-org/studio-access/shared has no output region, hubAccountId, organizationId, lobs",
    );
  });

  it("fails before declaring anything when its own config is invalid", async () => {
    await expect(
      runStackUnderMocks({
        stack: "lob-b",
        config: { ...loadStackConfig("lob-b"), "studio-access:members": '["no way"]' },
      }),
    ).rejects.toThrow('studio-access:members[0] is "no way": expected a Cognito username');
  });

  it("gives a member whose username is not a profile name (jane.doe) the mapped profile, everywhere", async () => {
    const run = await runStackUnderMocks({
      stack: "lob-b",
      config: { ...loadStackConfig("lob-b"), "studio-access:members": '["jane.doe"]' },
      stackOutputs: {
        [fullStackName("shared")]: { ...planned.shared.outputs, usernames: ["jane.doe"] },
      },
    });
    const item = one(run, "aws:dynamodb/tableItem:TableItem", "lob-b-member-jane.doe");
    expect(JSON.parse(String(item.inputs.item))).toMatchObject({
      userTeam: { S: "jane.doe#config:default" },
      username: { S: "jane.doe" },
      profileName: { S: "jane-doe-2sdsf7bol2unf5fv" },
    });
    expect(run.outputs.teams).toEqual({ default: { "jane.doe": "jane-doe-2sdsf7bol2unf5fv" } });
  });

  it("refuses homeDirectories remove against a hub without its Lambda endpoint, naming the fix", async () => {
    const outputs = planned.shared.outputs as { endpointIds: Record<string, string> };
    const { lambda: _, ...olderEndpoints } = outputs.endpointIds;
    const refused = await runStackUnderMocks({
      stack: "lob-a",
      config: loadStackConfig("lob-a"),
      stackOutputs: {
        [fullStackName("shared")]: { ...planned.shared.outputs, endpointIds: olderEndpoints },
      },
    }).catch((error: unknown) => error);
    expect((refused as ConfigError).problems).toEqual([
      'studio-access:homeDirectories is "remove", but the hub stack example-org/studio-access/shared has no Lambda endpoint: update the hub first (pulumi up -s shared)',
    ]);
  });

  it("refuses a homeDirectories value other than keep or remove, naming both", async () => {
    await expect(
      runStackUnderMocks({
        stack: "lob-b",
        config: { ...loadStackConfig("lob-b"), "studio-access:homeDirectories": "delete" },
        stackOutputs: { [fullStackName("shared")]: planned.shared.outputs },
      }),
    ).rejects.toThrow(
      "studio-access:homeDirectories is \"delete\": expected keep (a revoked user's files stay on the domain's EFS) or remove (offboarding deletes them)",
    );
  });

  it("names a team member's profile <team>--<user>, everywhere", async () => {
    const run = await runStackUnderMocks({
      stack: "lob-a",
      config: {
        ...loadStackConfig("lob-a"),
        "studio-access:teams": JSON.stringify({ "risk-models": { members: ["jane.doe"] } }),
      },
      stackOutputs: {
        [fullStackName("shared")]: { ...planned.shared.outputs, usernames: ["jane.doe"] },
      },
    });
    const item = one(run, "aws:dynamodb/tableItem:TableItem", "lob-a-member-risk-models-jane.doe");
    expect(JSON.parse(String(item.inputs.item))).toMatchObject({
      userTeam: { S: "jane.doe#config:risk-models" },
      team: { S: "risk-models" },
      profileName: { S: "risk-models--jane-doe-2sdsf7bol2unf5fv" },
    });
    expect(run.outputs.teams).toEqual({
      "risk-models": { "jane.doe": "risk-models--jane-doe-2sdsf7bol2unf5fv" },
    });
    expect(one(run, "aws:iam/role:Role", "lob-a-team-risk-models").inputs.name).toBe(
      "studio-access-team-risk-models",
    );
  });

  it.each([
    ["members", "lob-b", '["user-lob-a","stranger"]', "studio-access:members[1]"],
    [
      "teams",
      "lob-a",
      JSON.stringify({ analytics: { members: ["user-lob-a", "stranger"] } }),
      "studio-access:teams.analytics.members[1]",
    ],
  ])(
    "refuses a member (%s) who is not among the users the hub manages, naming them",
    async (key, stack, value, named) => {
      await expect(
        runStackUnderMocks({
          stack,
          config: { ...loadStackConfig(stack), [`studio-access:${key}`]: value },
          stackOutputs: hubOutputs(),
        }),
      ).rejects.toThrow(
        `${named} is "stranger": expected one of the shared stack's users (user-lob-a, user-lob-b, dana.scientist, lee.leaving, new.scientist); add them there and update that stack first`,
      );
    },
  );

  it("accepts any member when the hub manages no users (they are managed elsewhere)", async () => {
    const outputs = { ...planned.shared.outputs, usernames: [] };
    const run = await runStackUnderMocks({
      stack: "lob-b",
      config: { ...loadStackConfig("lob-b"), "studio-access:members": '["stranger"]' },
      stackOutputs: { [fullStackName("shared")]: outputs },
    });
    expect(run.outputs.teams).toEqual({ default: { stranger: "stranger-rlfe6ntxj6bkm7cq" } });
  });

  it("refuses more AZs than the hub spans, as a config problem (before the replacement guard, #21)", async () => {
    await expect(
      runStackUnderMocks({
        stack: "lob-a",
        config: { ...loadStackConfig("lob-a"), "studio-access:availabilityZones": "3" },
        stackOutputs: hubOutputs(),
      }),
    ).rejects.toThrow(
      "invalid stack configuration in Pulumi.lob-a.yaml:\n  - studio-access:availabilityZones is 3: expected at most the hub's 2 (use1-az1, use1-az2); " +
        "a LOB uses the hub's first zones: raise the shared stack's availabilityZones and update that stack first",
    );
  });
});

describe("npm run plan", () => {
  const run = promisify(execFile);
  const plan = (...args: string[]) =>
    run(
      process.execPath,
      [require.resolve("tsx/cli"), path.join(__dirname, "../../scripts/plan.ts"), ...args],
      {
        cwd: path.join(__dirname, "../.."),
      },
    );

  it("plans the three stacks offline and prints each account's resources", async () => {
    const { stdout } = await plan();
    expect(stdout).toContain("shared  (kind shared: 162 resources");
    expect(stdout).toContain('account 222222222222 via provider "lob-a"');
    expect(stdout).toContain('account 333333333333 via provider "lob-b"');
    expect(stdout).toContain("hub-sts: com.amazonaws.us-east-1.sts (Interface, private DNS off)");
    expect(stdout).toContain("lob-a-domain: auth IAM, network VpcOnly, home EFS Retain");
    expect(stdout).toContain(
      'account 111111111111 via provider "hub" as arn:aws:iam::111111111111:role/studio-access-lob-a-deployer',
    );
    expect(stdout).toContain(
      "access-users: password 14+ characters (temporary 1 days), admin-created users only yes, MFA ON (TOTP on), deletion protection ACTIVE, threat protection off",
    );
    expect(stdout).toContain(
      "access-cli: flows ALLOW_USER_SRP_AUTH,ALLOW_USER_PASSWORD_AUTH,ALLOW_REFRESH_TOKEN_AUTH; access token 15 minutes, refresh token 8 hours; secret none; revocation on; user existence errors ENABLED",
    );
    expect(stdout).toMatch(
      /access-presigner: nodejs24\.x, timeout 27 s, in the hub VPC; environment LOBS_TABLE=access-lobs-\w+ LOB_REGISTRY=lobs\.json .*USER_POOL_ID=us-east-1_\w+/,
    );
    expect(stdout).toMatch(
      /^ {4}cliConfigure: studio-access configure --api-url https:\/\/\S+ --user-pool-id us-east-1_\w+ --client-id \w+ --region us-east-1$/m,
    );
    expect(stdout).toMatch(/^ {4}lobAccountScp:\n {6}\{\n {8}"Version": "2012-10-17",/m);
    expect(stdout).toContain(
      '    teams: {"analytics":{"user-lob-a":"analytics--user-lob-a-3nbs3wnxbyw5ty7m","dana.scientist":"analytics--dana-scientist-jnzooc7btzxbvodz","new.scientist":"analytics--new-scientist-72d3tuufciqlhetq"},"forecasting":{"dana.scientist":"forecasting--dana-scientist-jnzooc7btzxbvodz"}}',
    );
    expect(stdout).toContain(
      'hub-sts: com.amazonaws.us-east-1.sts (Interface, private DNS off); policy: Allow * by "*" on * if',
    );
    expect(stdout).toContain(
      "reachability, computed from the planned routes, zones and security groups (HTTPS):",
    );
    // The legend above the matrix, and no answer the design does not intend (#20).
    expect(stdout).toContain(
      "(HTTPS):\n  ✓ reaches, as designed   ✗ refused, as designed (the reason follows)\n  ! UNEXPECTED: ",
    );
    expect(stdout).toContain("\n  every answer is the designed one\n");
    expect(stdout).toMatch(/✓ spoke lob-a +-> sagemaker\.api\n/);
    expect(stdout).toMatch(/✗ spoke lob-a +-> spoke lob-b {2}\(the transit gateway has no route/);
    expect(stdout).toMatch(/planned 3 stacks offline in \d+\.\d s/);
    expect(stdout).not.toContain("NO EXPLICIT PROVIDER");
  }, 60_000);

  it("--help explains the command and exits 0", async () => {
    const { stdout } = await plan("--help");
    expect(stdout).toContain("npm run plan [-- STACK ...]");
    expect(stdout).toContain("npm run plan -- lob-a     the hub, then only the named stacks");
  }, 60_000);

  it("exits non-zero naming an unknown stack", async () => {
    await expect(plan("lob-q")).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("no stack file Pulumi.lob-q.yaml") as unknown,
    });
  }, 60_000);
});
