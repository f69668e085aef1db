import { endpointServices } from "../../components/lib/endpoints";
import { ORG_ONLY_STATEMENT } from "../helpers/fixtures";
import type { StackRun } from "../../scripts/lib/mock-stack";
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
});

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

  it("may only presign and describe profiles of its own domain, through the hub SageMaker API or Studio endpoint", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    const policy = one(lobA, "aws:iam/rolePolicy:RolePolicy", "lob-a-access");
    expect(policy.inputs.role).toBe(one(lobA, "aws:iam/role:Role", "lob-a-access").id);
    expect(policyOf(policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PresignThroughHubEndpoints",
          Effect: "Allow",
          Action: ["sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeUserProfile"],
          Resource: `arn:aws:sagemaker:us-east-1:222222222222:user-profile/${domain.id}/*`,
          Condition: {
            StringEquals: {
              "aws:SourceVpce": [
                hubOut().endpointIds["sagemaker-api"],
                hubOut().endpointIds.studio,
              ],
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

  it("gives each member a profile named after them, with the same role and SG", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    expect(ofType(lobA, "aws:sagemaker/userProfile:UserProfile").map((p) => p.inputs)).toEqual([
      {
        domainId: domain.id,
        userProfileName: "user-lob-a",
        userSettings: {
          executionRole: one(lobA, "aws:iam/role:Role", "lob-a-execution").state.arn,
          securityGroups: [one(lobA, "aws:ec2/securityGroup:SecurityGroup", "lob-a-studio").id],
        },
        tags: { "studio-access:lob": "lob-a", "studio-access:username": "user-lob-a" },
      },
    ]);
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
  it("writes the LOB record and one entitlement per member into the hub's tables, in the hub account", () => {
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
    });
    const member = one(lobA, "aws:dynamodb/tableItem:TableItem", "lob-a-member-user-lob-a");
    expect([member.account, member.inputs]).toEqual([
      HUB_ACCOUNT,
      {
        tableName: planned.shared.outputs.usersTableName,
        hashKey: "lob",
        rangeKey: "username",
        item: JSON.stringify({
          lob: { S: "lob-a" },
          username: { S: "user-lob-a" },
          profileName: { S: "user-lob-a" },
        }),
      },
    ]);
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

  it("drains every member's apps before its profile is deleted", () => {
    const domain = one(lobA, "aws:sagemaker/domain:Domain", "lob-a-domain");
    const drains = ofType(lobA, drainType);
    expect(drains.map((d) => d.name)).toEqual(["lob-a-drain-user-lob-a"]);
    const profile = one(lobA, "aws:sagemaker/userProfile:UserProfile", "lob-a-profile-user-lob-a");
    const drain = one(lobA, drainType, "lob-a-drain-user-lob-a");
    expect(drain.dependsOn).toEqual([profile.name]);
    expect(drain.inputs).toEqual({
      __provider: expect.any(String) as unknown,
      region: "us-east-1",
      profile: "studio-access-lob-a",
      domainId: domain.id,
      userProfileName: profile.inputs.userProfileName,
      timeoutSeconds: 900,
      pollMilliseconds: 10000,
    });
  });
});
