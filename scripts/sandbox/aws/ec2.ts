import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Efs } from "./efs";
import type { Sts } from "./sts";
import type { Traffic } from "./traffic";

/** EC2: the VPCs, subnets and security groups the stacks and SageMaker make, and a sweep's calls. */

export interface Vpc {
  readonly id: string;
  readonly account: string;
  readonly subnets: Set<string>;
}

export interface SecurityGroup {
  readonly id: string;
  readonly vpcId: string;
  readonly name: string;
  readonly account: string;
  /** Groups this one's rules reference (SageMaker's two NFS groups reference each other). */
  readonly references: Set<string>;
}

export class Ec2 {
  readonly vpcs = new Map<string, Vpc>();
  readonly securityGroups = new Map<string, SecurityGroup>();

  constructor(
    private readonly efs: Efs,
    private readonly sts: Sts,
    private readonly traffic: Traffic,
  ) {}

  createVpc(id: string, account: string): void {
    this.vpcs.set(id, { id, account, subnets: new Set() });
  }

  /** Refused while subnets or security groups remain in the VPC, as EC2 refuses (DependencyViolation). */
  deleteVpc(id: string): void {
    const groups = [...this.securityGroups.values()].filter((g) => g.vpcId === id);
    const vpc = this.vpcs.get(id);
    if (groups.length > 0 || (vpc && vpc.subnets.size > 0))
      throw new Error(
        `DependencyViolation: the vpc '${id}' has dependencies and cannot be deleted (${[...(vpc?.subnets ?? []), ...groups.map((g) => `${g.id} ${g.name}`)].join(", ")})`,
      );
    this.vpcs.delete(id);
  }

  createSubnet(vpcId: string, id: string): void {
    this.vpcs.get(vpcId)?.subnets.add(id);
  }

  /** Refused while a network interface (an EFS mount target) remains in it. */
  deleteSubnet(vpcId: string, id: string): void {
    const targets = this.efs.mountTargetsIn(id);
    if (targets.length > 0)
      throw new Error(
        `DependencyViolation: the subnet '${id}' has dependencies and cannot be deleted (${targets.join(", ")})`,
      );
    this.vpcs.get(vpcId)?.subnets.delete(id);
  }

  createSecurityGroup(vpcId: string, name: string, account: string, id?: string): SecurityGroup {
    const group: SecurityGroup = {
      id: id ?? `sg-${randomBytes(8).toString("hex")}`,
      vpcId,
      name,
      account,
      references: new Set(),
    };
    this.securityGroups.set(group.id, group);
    return group;
  }

  /** Refused while another group's rules reference it, as EC2 refuses (DependencyViolation). */
  deleteSecurityGroup(id: string): void {
    const referrer = [...this.securityGroups.values()].find((g) => g.references.has(id));
    if (referrer)
      throw new Error(
        `DependencyViolation: resource ${id} has a dependent object (${referrer.id})`,
      );
    this.securityGroups.delete(id);
  }

  /** The EC2 Query calls a spoke's sweep makes: describe, revoke and delete security groups. */
  handle(params: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const action = params.get("Action") ?? "";
    this.traffic.count(`EC2.${action}`);
    const xml = (status: number, body: string) => {
      res.writeHead(status, { "Content-Type": "text/xml" });
      res.end(body);
    };
    const error = (code: string, message: string) => {
      xml(
        400,
        `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>sandbox</RequestID></Response>`,
      );
    };
    if (!this.sts.caller(req)) {
      error("AuthFailure", "AWS was not able to validate the provided access credentials");
      return;
    }
    const ns = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
    const done = () => {
      xml(
        200,
        `<${action}Response ${ns}><requestId>sandbox</requestId><return>true</return></${action}Response>`,
      );
    };
    const groupId = params.get("GroupId") ?? "";
    if (action === "DescribeSecurityGroups") {
      xml(200, this.describeSecurityGroups(params, ns));
      return;
    }
    const group = this.securityGroups.get(groupId);
    if (!group) {
      error("InvalidGroup.NotFound", `The security group '${groupId}' does not exist`);
      return;
    }
    if (action === "RevokeSecurityGroupIngress" || action === "RevokeSecurityGroupEgress") {
      group.references.clear();
      done();
      return;
    }
    if (action === "DeleteSecurityGroup") {
      try {
        this.deleteSecurityGroup(groupId);
        done();
      } catch (e) {
        error("DependencyViolation", (e as Error).message);
      }
      return;
    }
    error("InvalidAction", `${action} is not emulated`);
  }

  /** DescribeSecurityGroups' answer, filtered by `vpc-id` and `group-name` (`*` wildcards). */
  private describeSecurityGroups(params: URLSearchParams, ns: string): string {
    const filters = new Map<string, string[]>();
    for (let i = 1; params.has(`Filter.${String(i)}.Name`); i++) {
      const values: string[] = [];
      for (let j = 1; params.has(`Filter.${String(i)}.Value.${String(j)}`); j++)
        values.push(params.get(`Filter.${String(i)}.Value.${String(j)}`) ?? "");
      filters.set(params.get(`Filter.${String(i)}.Name`) ?? "", values);
    }
    const like = (value: string, patterns: string[] | undefined) =>
      !patterns ||
      patterns.some((p) =>
        new RegExp(
          `^${p
            .split("*")
            .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
        ).test(value),
      );
    const groups = [...this.securityGroups.values()].filter(
      (g) => like(g.vpcId, filters.get("vpc-id")) && like(g.name, filters.get("group-name")),
    );
    const permissions = (g: SecurityGroup) =>
      [...g.references]
        .map(
          (ref) =>
            `<item><ipProtocol>tcp</ipProtocol><fromPort>2049</fromPort><toPort>2049</toPort><groups><item><groupId>${ref}</groupId><userId>${g.account}</userId></item></groups><ipRanges/></item>`,
        )
        .join("");
    return `<DescribeSecurityGroupsResponse ${ns}><requestId>sandbox</requestId><securityGroupInfo>${groups
      .map(
        (g) =>
          `<item><ownerId>${g.account}</ownerId><groupId>${g.id}</groupId><groupName>${g.name}</groupName><groupDescription>${g.name}</groupDescription><vpcId>${g.vpcId}</vpcId><ipPermissions>${permissions(g)}</ipPermissions><ipPermissionsEgress>${permissions(g)}</ipPermissionsEgress></item>`,
      )
      .join("")}</securityGroupInfo></DescribeSecurityGroupsResponse>`;
  }
}
