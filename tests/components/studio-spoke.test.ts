import { endpointServices } from "../../components/lib/endpoints";
import { ORG_ONLY_STATEMENT, P } from "../helpers/fixtures";
import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  type StackRun,
} from "../../scripts/lib/mock-stack";
import {
  HUB_ACCOUNT,
  LOB_A_ACCOUNT,
  ofType,
  one,
  planRepositoryStacks,
  policyOf,
  type Planned,
} from "../helpers/stacks";

let planned: Planned;
let lobA: StackRun;
beforeAll(async () => {
  planned = await planRepositoryStacks();
  lobA = planned.lobA;
}, 60_000);

const hubOut = () =>
  planned.shared.outputs as Record<string, unknown> & {
    endpointIds: Record<string, string>;
    zoneIds: Record<string, string>;
  };

describe("StudioSpoke: access role", () => {
  it("is trusted by exactly the hub presigner role, through the hub STS endpoint only", () => {
    const role = one(lobA, "aws:iam/role:Role", "lob-a-access");
    expect(role.inputs.name).toBe("StudioAccessRole");
    expect(role.account).toBe(LOB_A_ACCOUNT);
    expect(policyOf(role, "assumeRolePolicy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "HubPresignerThroughHubEndpoint",
          Effect: "Allow",
          Principal: {
            AWS: one(planned.shared, "aws:iam/role:Role", "access-presigner").state.arn,
          },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceVpce": hubOut().endpointIds.sts } },
        },
      ],
    });
  });

  it("may only presign and describe profiles of its own domain tagged for its LOB, through the hub SageMaker API or Studio endpoint", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    const policy = one(lobA, "aws:iam/rolePolicy:RolePolicy", "lob-a-access");
    expect(policy.inputs.role).toBe(one(lobA, "aws:iam/role:Role", "lob-a-access").id);
    expect(policyOf(policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PresignOwnLobProfilesThroughHubEndpoints",
          Effect: "Allow",
          Action: ["sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeUserProfile"],
          Resource: `arn:aws:sagemaker:us-east-1:222222222222:user-profile/${domain.id}/*`,
          Condition: {
            StringEquals: {
              "aws:SourceVpce": [
                hubOut().endpointIds["sagemaker-api"],
                hubOut().endpointIds.studio,
              ],
              "aws:ResourceTag/studio-access:lob": "lob-a",
            },
          },
        },
      ],
    });
  });
});

describe("StudioSpoke: domain and profiles", () => {
  it("is VpcOnly with IAM auth in the spoke subnets, its SG on every user, the EFS retention explicit", () => {
    const sg = one(lobA, "aws:ec2/securityGroup:SecurityGroup", "lob-a-studio");
    const execution = one(lobA, "aws:iam/role:Role", "lob-a-execution");
    expect(one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain").inputs).toMatchObject({
      domainName: "studio-access-lob-a",
      authMode: "IAM",
      appNetworkAccessType: "VpcOnly",
      vpcId: one(lobA, "aws:ec2/vpc:Vpc", "lob-a-vpc").id,
      subnetIds: ofType(lobA, "aws:ec2/subnet:Subnet").map((s) => s.id),
      defaultUserSettings: { executionRole: execution.state.arn, securityGroups: [sg.id] },
      retentionPolicy: { homeEfsFileSystem: "Retain" },
      domainSettings: { executionRoleIdentityConfig: "USER_PROFILE_NAME" },
    });
  });

  it("makes no profile at deploy time: each member's come on their first sign-in", () => {
    expect(ofType(lobA, "aws:sagemaker/userProfile:UserProfile")).toEqual([]);
  });
  it("gives the execution role its own domain, its user's own apps and spaces, and Studio logs, not AmazonSageMakerFullAccess", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    const role = one(lobA, "aws:iam/role:Role", "lob-a-execution");
    expect(policyOf(role, "assumeRolePolicy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "sagemaker.amazonaws.com" },
          // The profile's name becomes the session's source identity (CloudTrail attribution).
          Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
        },
      ],
    });
    expect(role.inputs.managedPolicyArns).toBeUndefined();
    const arn = (kind: string) => `arn:aws:sagemaker:us-east-1:222222222222:${kind}`;
    const own = arn(`user-profile/${domain.id}/\${sagemaker:UserProfileName}`);
    const statements = (
      policyOf(one(lobA, "aws:iam/rolePolicy:RolePolicy", "lob-a-execution")) as {
        Statement: { Sid: string; Action: unknown; Resource: unknown; Condition?: unknown }[];
      }
    ).Statement;
    expect(statements.map((s) => [s.Sid, s.Resource, s.Condition])).toEqual([
      [
        "ReadOwnDomain",
        [
          arn(`domain/${domain.id}`),
          arn(`user-profile/${domain.id}/*`),
          arn(`space/${domain.id}/*`),
          arn(`app/${domain.id}/*`),
        ],
        undefined,
      ],
      ["ListStudioResources", "*", undefined],
      [
        "OwnProfileApps",
        arn(`app/${domain.id}/\${sagemaker:UserProfileName}/*`),
        { Null: { "sagemaker:OwnerUserProfileArn": "true" } },
      ],
      [
        "OwnSpaces",
        arn(`space/${domain.id}/*`),
        {
          ArnLike: { "sagemaker:OwnerUserProfileArn": own },
          StringEquals: { "sagemaker:SpaceSharingType": ["Private", "Shared"] },
        },
      ],
      [
        "OwnPrivateSpaceApps",
        arn(`app/${domain.id}/*`),
        {
          ArnLike: { "sagemaker:OwnerUserProfileArn": own },
          StringEquals: { "sagemaker:SpaceSharingType": ["Private"] },
        },
      ],
      [
        "WriteStudioLogs",
        "arn:aws:logs:us-east-1:222222222222:log-group:/aws/sagemaker/*",
        undefined,
      ],
    ]);
    // Only describe and list are unconditional: nothing changes a colleague's resources.
    expect(statements[0]?.Action).toEqual([
      "sagemaker:DescribeDomain",
      "sagemaker:DescribeUserProfile",
      "sagemaker:DescribeSpace",
      "sagemaker:DescribeApp",
      "sagemaker:ListTags",
    ]);
  });

  it("lets Studio apps talk to each other and EFS, and reach only the hub's endpoints and S3 beyond that", () => {
    const sg = one(lobA, "aws:ec2/securityGroup:SecurityGroup", "lob-a-studio");
    const s3 = one(lobA, "aws:ec2/vpcEndpoint:VpcEndpoint", "lob-a-s3");
    const rules = lobA.resources.filter(
      (r) => r.type.startsWith("aws:vpc/securityGroup") && r.inputs.securityGroupId === sg.id,
    );
    expect(
      rules.map((r) => [
        r.type.split(":")[2],
        r.inputs.ipProtocol,
        r.inputs.fromPort,
        r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId ?? r.inputs.prefixListId,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["SecurityGroupIngressRule", "-1", undefined, sg.id],
        ["SecurityGroupEgressRule", "-1", undefined, sg.id],
        ["SecurityGroupEgressRule", "tcp", 443, s3.state.prefixListId],
        ["SecurityGroupEgressRule", "tcp", 443, "10.0.0.0/16"],
      ]),
    );
    expect(rules).toHaveLength(4);
  });

  it("reaches S3 through a gateway endpoint on its route table that serves the organization only", () => {
    const s3 = one(lobA, "aws:ec2/vpcEndpoint:VpcEndpoint", "lob-a-s3");
    expect(s3.account).toBe(LOB_A_ACCOUNT);
    expect(s3.inputs).toMatchObject({
      vpcId: one(lobA, "aws:ec2/vpc:Vpc", "lob-a-vpc").id,
      serviceName: "com.amazonaws.us-east-1.s3",
      vpcEndpointType: "Gateway",
      routeTableIds: [one(lobA, "aws:ec2/routeTable:RouteTable", "lob-a-isolated").id],
    });
    expect(policyOf(s3)).toEqual({ Version: "2012-10-17", Statement: [ORG_ONLY_STATEMENT] });
  });
});

describe("StudioSpoke: network", () => {
  it("uses the hub's AZ ids, isolated subnets and a single default route to the transit gateway", () => {
    expect(
      ofType(lobA, "aws:ec2/subnet:Subnet").map((s) => [
        s.inputs.cidrBlock,
        s.inputs.availabilityZoneId,
      ]),
    ).toEqual([
      ["10.1.0.0/17", "use1-az1"],
      ["10.1.128.0/17", "use1-az2"],
    ]);
    const routeTable = one(lobA, "aws:ec2/routeTable:RouteTable", "lob-a-isolated");
    expect(one(lobA, "aws:ec2/route:Route", "lob-a-default").inputs).toEqual({
      routeTableId: routeTable.id,
      destinationCidrBlock: "0.0.0.0/0",
      transitGatewayId: planned.shared.outputs.transitGatewayId,
    });
    expect(one(lobA, "aws:ec2/route:Route", "lob-a-default").account).toBe(LOB_A_ACCOUNT);
  });

  it("is accepted (and tagged as its own), associated and propagated in the hub, and adds no route or rule there", () => {
    const attachment = one(lobA, "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "lob-a-tgw");
    const accepter = one(
      lobA,
      "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter",
      "lob-a-tgw",
    );
    expect(attachment.account).toBe(LOB_A_ACCOUNT);
    expect(accepter.account).toBe(HUB_ACCOUNT);
    expect(accepter.inputs).toMatchObject({
      transitGatewayAttachmentId: attachment.id,
      transitGatewayDefaultRouteTableAssociation: false,
      transitGatewayDefaultRouteTablePropagation: false,
      tags: { Name: "lob-a-tgw", "studio-access:lob": "lob-a" },
    });
    const hub = planned.shared.outputs;
    expect(
      one(
        lobA,
        "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
        "lob-a-tgw-spokes",
      ).inputs,
    ).toEqual({
      transitGatewayAttachmentId: attachment.id,
      transitGatewayRouteTableId: hub.spokesTgwRouteTableId,
    });
    expect(
      one(
        lobA,
        "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
        "lob-a-tgw-to-hub",
      ).inputs,
    ).toEqual({
      transitGatewayAttachmentId: attachment.id,
      transitGatewayRouteTableId: hub.hubTgwRouteTableId,
    });
    const inHub = lobA.resources.filter((r) => r.custom && r.account === HUB_ACCOUNT);
    expect(inHub.filter((r) => r.type === "aws:ec2/route:Route")).toEqual([]);
    expect(inHub.filter((r) => r.type.startsWith("aws:vpc/securityGroup"))).toEqual([]);
  });

  it.each(
    endpointServices("us-east-1")
      .filter((s) => s.audience === "hub-and-spokes")
      .map((s) => s.key),
  )(
    "associates the hub's %s zone with the spoke VPC: authorised in the hub, associated in the LOB",
    (key) => {
      const vpc = one(lobA, "aws:ec2/vpc:Vpc", "lob-a-vpc");
      const zoneId = hubOut().zoneIds[key];
      const authorization = one(
        lobA,
        "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization",
        `lob-a-${key}`,
      );
      const association = one(lobA, "aws:route53/zoneAssociation:ZoneAssociation", `lob-a-${key}`);
      expect([authorization.account, authorization.inputs]).toEqual([
        HUB_ACCOUNT,
        { zoneId, vpcId: vpc.id, vpcRegion: "us-east-1" },
      ]);
      expect([association.account, association.inputs]).toEqual([
        LOB_A_ACCOUNT,
        { zoneId, vpcId: vpc.id, vpcRegion: "us-east-1" },
      ]);
    },
  );
});

describe("StudioSpoke: hub-only zones", () => {
  it("does not associate the hub's Cognito zone with the spoke", () => {
    expect(
      lobA.resources.filter((r) => r.type.startsWith("aws:route53/") && r.name.includes("cognito")),
    ).toEqual([]);
  });
});

describe("HubRegistration: rows in the hub tables", () => {
  it("writes the LOB record, with its teams, and one entitlement per member and team, in the hub account", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    const lobItem = one(lobA, "aws:dynamodb/tableItem:TableItem", "lob-a-lob");
    expect(lobItem.account).toBe(HUB_ACCOUNT);
    expect(lobItem.inputs.tableName).toBe(planned.shared.outputs.lobsTableName);
    expect(JSON.parse(lobItem.inputs.item as string)).toEqual({
      lob: { S: "lob-a" },
      accountId: { S: "222222222222" },
      region: { S: "us-east-1" },
      domainId: { S: domain.id },
      accessRoleArn: { S: "arn:aws:iam::222222222222:role/StudioAccessRole" },
      enabled: { BOOL: true },
      teams: { L: [{ S: "analytics" }, { S: "forecasting" }] },
      homeDirectories: { S: "remove" },
      // Each team's idle shutdown (#21): analytics the hub's default, forecasting its own.
      idleShutdown: {
        M: {
          analytics: { M: { minutes: { N: "120" } } },
          forecasting: { M: { minutes: { N: "240" }, min: { N: "60" }, max: { N: "480" } } },
        },
      },
      // And each team's space storage (#21): analytics the LOB's default, forecasting its own.
      spaceStorage: {
        M: {
          analytics: { M: { defaultGb: { N: "5" }, maxGb: { N: "100" } } },
          forecasting: { M: { defaultGb: { N: "20" }, maxGb: { N: "200" } } },
        },
      },
    });
    const rows = lobA.resources
      .filter((r) => r.type === "aws:dynamodb/tableItem:TableItem" && r.name !== "lob-a-lob")
      .map((r) => [r.name, r.account, r.inputs]);
    const item = (username: string, team: string, profileName: string) => ({
      tableName: planned.shared.outputs.usersTableName,
      hashKey: "lob",
      rangeKey: "userTeam",
      item: JSON.stringify({
        lob: { S: "lob-a" },
        // A config seed's own key form: an admin grant of the same user and team is another row.
        userTeam: { S: `${username}#config:${team}` },
        username: { S: username },
        team: { S: team },
        profileName: { S: profileName },
        source: { S: "config" },
      }),
    });
    expect(rows).toEqual([
      [
        "lob-a-member-analytics-user-lob-a",
        HUB_ACCOUNT,
        item("user-lob-a", "analytics", P("user-lob-a", "analytics")),
      ],
      [
        "lob-a-member-analytics-dana.scientist",
        HUB_ACCOUNT,
        item("dana.scientist", "analytics", P("dana.scientist", "analytics")),
      ],
      [
        "lob-a-member-analytics-new.scientist",
        HUB_ACCOUNT,
        item("new.scientist", "analytics", P("new.scientist", "analytics")),
      ],
      [
        "lob-a-member-forecasting-dana.scientist",
        HUB_ACCOUNT,
        item("dana.scientist", "forecasting", P("dana.scientist", "forecasting")),
      ],
    ]);
  });

  it("names a LOB without teams' rows and profiles in its one team, default, with no team prefix", () => {
    const member = one(planned.lobB, "aws:dynamodb/tableItem:TableItem", "lob-b-member-user-lob-b");
    expect(JSON.parse(member.inputs.item as string)).toEqual({
      lob: { S: "lob-b" },
      userTeam: { S: "user-lob-b#config:default" },
      username: { S: "user-lob-b" },
      team: { S: "default" },
      profileName: { S: P("user-lob-b") },
      // A seed from the stack's config, which `admin revoke` leaves to the config.
      source: { S: "config" },
    });
    const record = one(planned.lobB, "aws:dynamodb/tableItem:TableItem", "lob-b-lob");
    expect((JSON.parse(record.inputs.item as string) as { teams: unknown }).teams).toEqual({
      L: [{ S: "default" }],
    });
  });
});

describe("StudioSpoke: teams", () => {
  const teamRole = (team: string) => one(lobA, "aws:iam/role:Role", `lob-a-team-${team}`);
  const teamPolicy = (team: string, suffix: string) =>
    one(lobA, "aws:iam/rolePolicy:RolePolicy", `lob-a-team-${team}-${suffix}`);

  it("gives each team its own execution role, tagged with the team, in the LOB account", () => {
    expect(
      ["analytics", "forecasting"].map((team) => {
        const role = teamRole(team);
        return [role.account, role.inputs.name, role.inputs.path, role.state.arn, role.inputs.tags];
      }),
    ).toEqual([
      [
        LOB_A_ACCOUNT,
        "studio-access-team-analytics",
        "/studio-access/",
        "arn:aws:iam::222222222222:role/studio-access/studio-access-team-analytics",
        {
          "cost-center": "cc-1001",
          "studio-access:lob": "lob-a",
          "studio-access:team": "analytics",
        },
      ],
      [
        LOB_A_ACCOUNT,
        "studio-access-team-forecasting",
        "/studio-access/",
        "arn:aws:iam::222222222222:role/studio-access/studio-access-team-forecasting",
        {
          "cost-center": "cc-1002",
          "studio-access:lob": "lob-a",
          "studio-access:team": "forecasting",
        },
      ],
    ]);
    expect(policyOf(teamRole("analytics"), "assumeRolePolicy")).toEqual(
      policyOf(one(lobA, "aws:iam/role:Role", "lob-a-execution"), "assumeRolePolicy"),
    );
  });

  it("gives each team role the Studio policy, ABAC, the deny list and exactly the team's own policies", () => {
    const studio = policyOf(one(lobA, "aws:iam/rolePolicy:RolePolicy", "lob-a-execution"));
    for (const team of ["analytics", "forecasting"]) {
      expect(policyOf(teamPolicy(team, "studio"))).toEqual(studio);
      expect(teamPolicy(team, "abac").inputs.role).toBe(teamRole(team).id);
    }
    const policiesOf = (team: string) =>
      lobA.resources
        .filter(
          (r) =>
            (r.type === "aws:iam/rolePolicy:RolePolicy" ||
              r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") &&
            r.name.startsWith(`lob-a-team-${team}-`),
        )
        .map((r) => r.name.slice(`lob-a-team-${team}-`.length))
        .sort();
    expect(policiesOf("analytics")).toEqual(["abac", "deny", "instance-types", "studio"]);
    expect(policiesOf("forecasting")).toEqual([
      "abac",
      "deny",
      "instance-types",
      "managed-0",
      "studio",
    ]);
    expect(
      one(
        lobA,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "lob-a-team-forecasting-managed-0",
      ).inputs,
    ).toEqual({
      role: "studio-access-team-forecasting",
      policyArn: "arn:aws:iam::aws:policy/AmazonSageMakerCanvasDataPrepFullAccess",
    });
  });

  it("holds each team to resources tagged with its own team (ABAC, the team read from the role's tag)", () => {
    const kinds = (
      policyOf(teamPolicy("analytics", "abac")) as { Statement: { Resource: unknown }[] }
    ).Statement[0]?.Resource;
    const own = "${aws:PrincipalTag/studio-access:team}";
    expect(policyOf(teamPolicy("analytics", "abac"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CreateOnlyTaggedWithOwnTeam",
          Effect: "Allow",
          Action: "sagemaker:Create*",
          Resource: kinds,
          Condition: { StringEquals: { "aws:RequestTag/studio-access:team": own } },
        },
        {
          Sid: "TagOnlyWithOwnTeam",
          Effect: "Allow",
          Action: "sagemaker:AddTags",
          Resource: kinds,
          Condition: {
            StringEquals: { "aws:RequestTag/studio-access:team": own },
            StringEqualsIfExists: { "aws:ResourceTag/studio-access:team": own },
          },
        },
        {
          Sid: "ManageOnlyOwnTeamResources",
          Effect: "Allow",
          Action: [
            "sagemaker:Describe*",
            "sagemaker:Start*",
            "sagemaker:Stop*",
            "sagemaker:Update*",
            "sagemaker:Delete*",
          ],
          Resource: kinds,
          Condition: { StringEquals: { "aws:ResourceTag/studio-access:team": own } },
        },
        {
          Sid: "KeepTeamTag",
          Effect: "Deny",
          Action: "sagemaker:DeleteTags",
          Resource: "*",
          Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["studio-access:team"] } },
        },
        {
          Sid: "PassOwnRoleToSageMaker",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: teamRole("analytics").state.arn,
          Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
        },
      ],
    });
    // Jobs, models, endpoints, experiments and pipelines of this account: no Studio app or space.
    expect(kinds).toEqual(
      [
        "training-job",
        "processing-job",
        "transform-job",
        "hyper-parameter-tuning-job",
        "automl-job",
        "model",
        "model-package-group",
        "endpoint-config",
        "endpoint",
        "experiment",
        "experiment-trial",
        "experiment-trial-component",
        "pipeline",
      ].map((kind) => `arn:aws:sagemaker:us-east-1:222222222222:${kind}/*`),
    );
  });

  it("denies every team what no team needs, whatever its own policies allow", () => {
    expect(policyOf(teamPolicy("forecasting", "deny"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyWhatNoTeamNeeds",
          Effect: "Deny",
          Action: [
            "sagemaker:CreateDomain",
            "sagemaker:UpdateDomain",
            "sagemaker:DeleteDomain",
            "sagemaker:CreateUserProfile",
            "sagemaker:UpdateUserProfile",
            "sagemaker:DeleteUserProfile",
            "sagemaker:CreatePresignedDomainUrl",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
            "sagemaker:CreateNotebookInstance",
            "sagemaker:UpdateNotebookInstance",
            "sagemaker:CreateWorkforce",
            "sagemaker:UpdateWorkforce",
            "sagemaker:CreateWorkteam",
            "sagemaker:UpdateWorkteam",
          ],
          Resource: "*",
        },
      ],
    });
  });
});

describe("StudioSpoke: provisioning role", () => {
  it("is trusted exactly as the access role is, and may only create team profiles with their tags and roles", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    const role = one(lobA, "aws:iam/role:Role", "lob-a-provisioner");
    expect([role.account, role.inputs.name]).toEqual([
      LOB_A_ACCOUNT,
      "StudioAccessRole-provisioner",
    ]);
    expect(policyOf(role, "assumeRolePolicy")).toEqual(
      policyOf(one(lobA, "aws:iam/role:Role", "lob-a-access"), "assumeRolePolicy"),
    );
    const profiles = `arn:aws:sagemaker:us-east-1:222222222222:user-profile/${domain.id}`;
    const vpce = hubOut().endpointIds["sagemaker-api"];
    expect(policyOf(one(lobA, "aws:iam/rolePolicy:RolePolicy", "lob-a-provisioner"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          // One statement for every team: a profile named <team>--* only with that team's tag
          // (the resource is built from the request's team tag), and only a team of the LOB.
          Sid: "CreateProfilesOfOwnTeam",
          Effect: "Allow",
          Action: ["sagemaker:CreateUserProfile", "sagemaker:AddTags"],
          Resource: `${profiles}/\${aws:RequestTag/studio-access:team}--*`,
          Condition: {
            StringEquals: {
              "aws:RequestTag/studio-access:lob": "lob-a",
              "aws:RequestTag/studio-access:team": ["analytics", "forecasting"],
              "aws:SourceVpce": vpce,
            },
            "ForAllValues:StringEquals": {
              "aws:TagKeys": ["studio-access:lob", "studio-access:team", "studio-access:username"],
            },
            Null: { "aws:RequestTag/studio-access:username": "false" },
          },
        },
        {
          Sid: "WatchProfilesStart",
          Effect: "Allow",
          Action: ["sagemaker:DescribeUserProfile", "sagemaker:ListTags"],
          Resource: `${profiles}/*`,
          Condition: { StringEquals: { "aws:SourceVpce": vpce } },
        },
        {
          Sid: "PassTeamRolesToSageMaker",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: [
            "arn:aws:iam::222222222222:role/studio-access/studio-access-team-analytics",
            "arn:aws:iam::222222222222:role/studio-access/studio-access-team-forecasting",
          ],
          Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
        },
      ],
    });
  });

  it("lets a LOB without teams create any profile name, with the default team's tag and role", () => {
    const statements = (
      policyOf(one(planned.lobB, "aws:iam/rolePolicy:RolePolicy", "lob-b-provisioner")) as {
        Statement: { Sid: string; Resource: unknown }[];
      }
    ).Statement;
    expect(statements.map((st) => st.Sid)).toEqual([
      "CreateProfilesOfTeamDefault",
      "WatchProfilesStart",
      "PassTeamRolesToSageMaker",
    ]);
    expect(String(statements[0]?.Resource)).toMatch(/user-profile\/d-[0-9a-z]+\/\*$/);
    expect(statements[2]?.Resource).toEqual([
      "arn:aws:iam::333333333333:role/studio-access/studio-access-team-default",
    ]);
  });
});

describe("StudioSpoke: lifecycle role (offboarding)", () => {
  it("may read profiles' tags, delete apps of its LOB, spaces owned by its domain's profiles and profiles tagged with its LOB and a user, through the hub endpoint only", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    // Apps carry the domain's tags: the condition on DeleteApp reads this one.
    expect(domain.inputs.tags).toEqual({ "studio-access:lob": "lob-a" });
    const arn = (kind: string) => `arn:aws:sagemaker:us-east-1:222222222222:${kind}`;
    const vpce = { "aws:SourceVpce": hubOut().endpointIds["sagemaker-api"] };
    const statements = (
      policyOf(one(lobA, "aws:iam/rolePolicy:RolePolicy", "lob-a-lifecycle")) as {
        Statement: { Sid: string }[];
      }
    ).Statement;
    expect(statements.filter((st) => st.Sid !== "RemoveHomeDirectories")).toEqual([
      {
        Sid: "ListStudioResources",
        Effect: "Allow",
        Action: ["sagemaker:ListApps", "sagemaker:ListSpaces"],
        Resource: "*",
        Condition: { StringEquals: vpce },
      },
      {
        Sid: "DeleteAppsOfLob",
        Effect: "Allow",
        Action: "sagemaker:DeleteApp",
        Resource: arn(`app/${domain.id}/*`),
        Condition: { StringEquals: { ...vpce, "aws:ResourceTag/studio-access:lob": "lob-a" } },
      },
      {
        Sid: "DeleteSpacesOfDomainProfiles",
        Effect: "Allow",
        Action: "sagemaker:DeleteSpace",
        Resource: arn(`space/${domain.id}/*`),
        Condition: {
          StringEquals: vpce,
          ArnLike: { "sagemaker:OwnerUserProfileArn": arn(`user-profile/${domain.id}/*`) },
        },
      },
      {
        Sid: "WatchProfiles",
        Effect: "Allow",
        Action: ["sagemaker:DescribeUserProfile", "sagemaker:ListTags"],
        Resource: arn(`user-profile/${domain.id}/*`),
        Condition: { StringEquals: vpce },
      },
      {
        Sid: "DeleteOwnProfiles",
        Effect: "Allow",
        Action: "sagemaker:DeleteUserProfile",
        Resource: arn(`user-profile/${domain.id}/*`),
        Condition: {
          StringEquals: { ...vpce, "aws:ResourceTag/studio-access:lob": "lob-a" },
          Null: { "aws:ResourceTag/studio-access:username": "false" },
        },
      },
    ]);
  });
});

describe("StudioSpoke: home directories (lob-a removes them, lob-b keeps them)", () => {
  const domain = () => one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
  const nfsGroup = () => {
    const [lookup, ...more] = lobA.lookups;
    expect(more).toEqual([]);
    expect(lookup?.token).toBe("aws:ec2/getSecurityGroup:getSecurityGroup");
    // SageMaker's own group on the EFS mount targets, found by its name in the LOB VPC.
    expect(lookup?.inputs).toEqual({
      name: `security-group-for-inbound-nfs-${domain().id}`,
      vpcId: one(lobA, "aws:ec2/vpc:Vpc", "lob-a-vpc").id,
    });
    return (lookup?.result as { id: string }).id;
  };

  it("reaches only NFS on SageMaker's inbound NFS group, which admits it by one rule", () => {
    const sg = one(lobA, "aws:ec2/securityGroup:SecurityGroup", "lob-a-homes");
    expect(sg.account).toBe(LOB_A_ACCOUNT);
    const rules = [
      ...ofType(lobA, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
      ...ofType(lobA, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
    ].filter((r) => r.name.startsWith("lob-a-homes"));
    expect(rules.map((r) => [r.type.split(":").pop(), r.inputs])).toEqual([
      [
        "SecurityGroupEgressRule",
        {
          securityGroupId: sg.id,
          ipProtocol: "tcp",
          fromPort: 2049,
          toPort: 2049,
          referencedSecurityGroupId: nfsGroup(),
          description: "the domain's home EFS",
        },
      ],
      [
        "SecurityGroupIngressRule",
        {
          securityGroupId: nfsGroup(),
          ipProtocol: "tcp",
          fromPort: 2049,
          toPort: 2049,
          referencedSecurityGroupId: sg.id,
          description: "studio-access home-directory function",
        },
      ],
    ]);
  });

  it("mounts the domain's home EFS at its root, as root, through its own access point", () => {
    const ap = one(lobA, "aws:efs/accessPoint:AccessPoint", "lob-a-homes");
    expect(ap.account).toBe(LOB_A_ACCOUNT);
    expect(ap.inputs).toMatchObject({
      fileSystemId: domain().state.homeEfsFileSystemId,
      posixUser: { uid: 0, gid: 0 },
      rootDirectory: { path: "/" },
    });
    const fn = one(lobA, "aws:lambda/function:Function", "lob-a-homes");
    expect(fn.account).toBe(LOB_A_ACCOUNT);
    expect(fn.inputs).toMatchObject({
      name: "studio-access-homes",
      runtime: "nodejs24.x",
      timeout: 300,
      vpcConfig: {
        subnetIds: ofType(lobA, "aws:ec2/subnet:Subnet").map((s) => s.id),
        securityGroupIds: [one(lobA, "aws:ec2/securityGroup:SecurityGroup", "lob-a-homes").id],
      },
      fileSystemConfig: { arn: ap.state.arn, localMountPath: "/mnt/home" },
      environment: {
        variables: { NODE_OPTIONS: "--enable-source-maps", HOME_ROOT: "/mnt/home" },
      },
    });
    // Created once it may mount: its policy and the NFS rule exist.
    expect(fn.dependsOn).toEqual(["lob-a-homes", "lob-a-homes-nfs"]);
  });

  it("may mount that file system only through its access point, write its logs and attach to the VPC", () => {
    const ap = one(lobA, "aws:efs/accessPoint:AccessPoint", "lob-a-homes");
    const logs = one(lobA, "aws:cloudwatch/logGroup:LogGroup", "lob-a-homes");
    expect(logs.inputs).toMatchObject({
      name: "/aws/lambda/studio-access-homes",
      retentionInDays: 365,
    });
    expect(policyOf(one(lobA, "aws:iam/role:Role", "lob-a-homes"), "assumeRolePolicy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
    expect(policyOf(one(lobA, "aws:iam/rolePolicy:RolePolicy", "lob-a-homes"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "MountHomesThroughOwnAccessPoint",
          Effect: "Allow",
          Action: [
            "elasticfilesystem:ClientMount",
            "elasticfilesystem:ClientWrite",
            "elasticfilesystem:ClientRootAccess",
          ],
          Resource: ap.state.fileSystemArn,
          Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": ap.state.arn } },
        },
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${String(logs.state.arn)}:*`,
        },
        {
          Sid: "AttachToLobVpc",
          Effect: "Allow",
          Action: [
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
          ],
          Resource: "*",
        },
      ],
    });
  });

  it("lets the LOB's lifecycle role invoke exactly that function, through the hub Lambda endpoint; lob-b's none", () => {
    const statement = (run: StackRun, lob: string) =>
      (
        policyOf(one(run, "aws:iam/rolePolicy:RolePolicy", `${lob}-lifecycle`)) as {
          Statement: { Sid: string }[];
        }
      ).Statement.find((st) => st.Sid === "RemoveHomeDirectories");
    expect(statement(lobA, "lob-a")).toEqual({
      Sid: "RemoveHomeDirectories",
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      Resource: one(lobA, "aws:lambda/function:Function", "lob-a-homes").state.arn,
      Condition: {
        StringEquals: {
          "aws:SourceVpce": hubOut().endpointIds.lambda,
          "aws:ResourceTag/studio-access:lob": "lob-a",
        },
      },
    });
    // The function carries the tag the condition reads.
    expect(one(lobA, "aws:lambda/function:Function", "lob-a-homes").inputs.tags).toEqual({
      "studio-access:lob": "lob-a",
    });
    expect(statement(planned.lobB, "lob-b")).toBeUndefined();
    expect(ofType(planned.lobB, "aws:lambda/function:Function")).toEqual([]);
    expect(ofType(planned.lobB, "aws:efs/accessPoint:AccessPoint")).toEqual([]);
    expect(planned.lobB.lookups).toEqual([]);
  });
});

describe("StudioSpoke: destroy-time clean-up", () => {
  const sweepType = "pulumi-nodejs:dynamic/studio-access:NfsSweep";
  const drainType = "pulumi-nodejs:dynamic/studio-access:StudioDrain";

  it("sweeps the VPC after the domain and before its subnets, with the stack's own profile", () => {
    const sweep = one(lobA, sweepType, "lob-a-nfs-sweep");
    const vpc = one(lobA, "aws:ec2/vpc:Vpc", "lob-a-vpc");
    expect(sweep.inputs).toEqual({
      __provider: expect.any(String) as unknown,
      region: "us-east-1",
      profile: "studio-access-lob-a",
      vpcId: vpc.id,
      domainName: "studio-access-lob-a",
      deleteFileSystem: false,
      timeoutSeconds: 900,
      pollMilliseconds: 10000,
    });
    // The domain depends on the sweep (so it is deleted first); the sweep on every subnet.
    expect(one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain").dependsOn).toEqual([
      "lob-a-nfs-sweep",
    ]);
    expect([...(sweep.dependsOn ?? [])].sort()).toEqual(
      ofType(lobA, "aws:ec2/subnet:Subnet")
        .map((s) => s.name)
        .sort(),
    );
    expect(sweep.account).toBeUndefined();
    // The serialized provider imports the SDK when it runs instead of capturing it.
    expect(String(sweep.inputs.__provider).length).toBeLessThan(20_000);
  });

  it("drains the whole domain (apps, spaces, then profiles) before it is deleted, after the entitlements go", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    expect(ofType(lobA, drainType).map((d) => d.name)).toEqual(["lob-a-drain"]);
    const drain = one(lobA, drainType, "lob-a-drain");
    expect(drain.dependsOn).toEqual([domain.name]);
    expect(drain.inputs).toEqual({
      __provider: expect.any(String) as unknown,
      region: "us-east-1",
      profile: "studio-access-lob-a",
      domainId: domain.id,
      timeoutSeconds: 900,
      pollMilliseconds: 10000,
    });
    // Every entitlement and the LOB record depend on it: on destroy, access ends first.
    for (const item of ofType(lobA, "aws:dynamodb/tableItem:TableItem"))
      expect(item.dependsOn).toContain("lob-a-drain");
  });
});

describe("StudioSpoke: usage reader role (studio-access admin usage, #21)", () => {
  it("is trusted by exactly the hub's admin role, and may only list and describe its domain's apps and spaces and read its profiles' tags", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    const role = one(lobA, "aws:iam/role:Role", "lob-a-usage");
    expect(role.account).toBe(LOB_A_ACCOUNT);
    expect(role.inputs).toMatchObject({
      name: "StudioAccessRole-usage",
      path: "/studio-access/",
      maxSessionDuration: 3600,
    });
    expect(role.state.arn).toBe(
      "arn:aws:iam::222222222222:role/studio-access/StudioAccessRole-usage",
    );
    expect(policyOf(role, "assumeRolePolicy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "HubAdminRoleOnly",
          Effect: "Allow",
          Principal: { AWS: one(planned.shared, "aws:iam/role:Role", "access-admin").state.arn },
          Action: "sts:AssumeRole",
        },
      ],
    });
    const policy = one(lobA, "aws:iam/rolePolicy:RolePolicy", "lob-a-usage");
    expect(policy.inputs.role).toBe(role.id);
    const arn = (kind: string) => `arn:aws:sagemaker:us-east-1:222222222222:${kind}`;
    expect(policyOf(policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ListStudioApps", Effect: "Allow", Action: "sagemaker:ListApps", Resource: "*" },
        {
          Sid: "DescribeDomainApps",
          Effect: "Allow",
          Action: "sagemaker:DescribeApp",
          Resource: arn(`app/${domain.id}/*`),
        },
        {
          Sid: "DescribeDomainSpaces",
          Effect: "Allow",
          Action: "sagemaker:DescribeSpace",
          Resource: arn(`space/${domain.id}/*`),
        },
        {
          Sid: "ReadDomainProfileTags",
          Effect: "Allow",
          Action: "sagemaker:ListTags",
          Resource: arn(`user-profile/${domain.id}/*`),
        },
      ],
    });
    expect(lobA.outputs.usageReaderRoleArn).toBe(role.state.arn);
  });

  it("is not created when the hub has no admin role (no admins)", async () => {
    const { adminRoleArn: _, ...hubWithoutAdmins } = planned.shared.outputs;
    const run = await runStackUnderMocks({
      stack: "lob-a",
      config: loadStackConfig("lob-a"),
      stackOutputs: { [fullStackName("shared")]: hubWithoutAdmins },
    });
    expect(run.resources.filter((r) => r.name === "lob-a-usage")).toEqual([]);
    expect(run.outputs.usageReaderRoleArn).toBeUndefined();
    // Everything else is as with admins.
    expect(run.resources.length).toBe(lobA.resources.length - 2);
  }, 120_000);
});
