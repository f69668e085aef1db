import type { PolicyDocument } from "../../components/policies/document";
import { DynamoDbGateway } from "./aws/dynamodb/gateway";
import type { DynamoDbStreams } from "./aws/dynamodb/streams";
import { Ec2 } from "./aws/ec2";
import { Efs } from "./aws/efs";
import { Iam } from "./aws/iam";
import { IamDecision } from "./aws/iam-decision";
import { Lambda } from "./aws/lambda";
import { Organizations } from "./aws/organizations";
import { notAuthorized } from "./aws/http";
import { FOREIGN_VPCE, Router, type Listener } from "./aws/router";
import type { SageMakerContext } from "./aws/sagemaker/context";
import { PresignedUrls } from "./aws/sagemaker/presigned-urls";
import { SageMakerResources, type StudioApp } from "./aws/sagemaker/resources";
import { Sts } from "./aws/sts";
import { SqsQueues } from "./aws/sqs";
import { Traffic } from "./aws/traffic";
import { onExit } from "./exit-cleanup";

export { FOREIGN_VPCE, type ApiHandler, type Listener, type ServiceKey } from "./aws/router";
export type { Profile } from "./aws/sagemaker/resources";

/**
 * The AWS calls no npm emulator covers: IAM roles, STS AssumeRole, SageMaker domains, user profiles
 * and CreatePresignedDomainUrl, Studio opening a presigned URL, and API Gateway's private API (the
 * `apiHandler`). It models several accounts. Every AssumeRole, presign and Studio login is decided
 * by evaluating the deployed trust and identity policies with the request's source VPC endpoint.
 *
 * Each emulated service is a module of `aws/`, and IAM's decision, which every one of them asks, is
 * `aws/iam-decision.ts`. This class builds them, opens the `Router` that sends each request to its
 * service, and gives the deployer, the rehearsal and the tests one object holding every service's
 * state and management calls.
 */
export class AwsEmulator {
  private readonly traffic = new Traffic();
  private readonly iam = new Iam();
  private readonly organizations = new Organizations();
  /** Each interface endpoint's policy, evaluated with every request through it (as AWS does). */
  readonly endpointPolicies = new Map<string, PolicyDocument>();
  private readonly decision = new IamDecision(this.iam, this.organizations, this.endpointPolicies);
  private readonly sts = new Sts(this.iam, this.decision, this.traffic);
  private readonly efs = new Efs(this.sts, this.traffic);
  private readonly ec2 = new Ec2(this.efs, this.sts, this.traffic);
  private readonly sageMaker: SageMakerContext;
  private readonly lambda: Lambda;
  private readonly dynamoDb: DynamoDbGateway;
  private readonly router: Router;
  private forgetExitCleanup: () => void = () => undefined;
  publicListener!: Listener;
  foreignListener!: Listener;

  // Each service's state, as the deployer, the rehearsal and the tests read it.
  readonly roles = this.iam.roles;
  readonly sessions = this.sts.sessions;
  readonly serviceControlPolicies = this.organizations.serviceControlPolicies;
  /** Calls answered, by `Service.Operation` and by `Service.Operation:Outcome`. */
  readonly calls = this.traffic.calls;
  readonly vpcs = this.ec2.vpcs;
  readonly securityGroups = this.ec2.securityGroups;
  readonly fileSystems = this.efs.fileSystems;
  /** EFS access points the stacks made: id → its file system. */
  readonly accessPoints = this.efs.accessPoints;
  readonly domains: SageMakerResources["domains"];
  readonly apps: SageMakerResources["apps"];
  readonly functionTags: Lambda["functionTags"];
  readonly tables: DynamoDbGateway["tables"];
  readonly streamSubscriptions: DynamoDbStreams["subscriptions"];
  /** The emulated SQS: the lifecycle's on-failure queue. */
  readonly sqs: SqsQueues;
  readonly endpoints: Router["endpoints"];

  constructor(readonly region: string) {
    const resources = new SageMakerResources(region, this.ec2, this.efs);
    const { iam, sts, decision, traffic } = this;
    this.sageMaker = { resources, iam, sts, decision, traffic };
    this.lambda = new Lambda(region, sts, decision, traffic);
    this.dynamoDb = new DynamoDbGateway(region, sts, decision, traffic);
    const presignedUrls = new PresignedUrls(this.sageMaker);
    const services = {
      sts,
      ec2: this.ec2,
      efs: this.efs,
      sageMaker: this.sageMaker,
      presignedUrls,
    };
    this.router = new Router(region, { ...services, lambda: this.lambda }, this.endpointPolicies);
    this.domains = resources.domains;
    this.apps = resources.apps;
    this.functionTags = this.lambda.functionTags;
    this.tables = this.dynamoDb.tables;
    this.streamSubscriptions = this.dynamoDb.streams.subscriptions;
    this.sqs = new SqsQueues(traffic);
    // Lambda sends a discarded batch's record to the on-failure queue.
    this.dynamoDb.streams.sendOnFailure = (arn, body) => {
      this.sqs.send(arn, body);
    };
    this.endpoints = this.router.endpoints;
  }

  async start(): Promise<void> {
    // However the process ends before stop() (Ctrl-C mid-run included), the file systems' folders go.
    this.forgetExitCleanup = onExit(() => {
      this.efs.removeFolders();
    });
    this.publicListener = await this.router.open("any", undefined);
    this.foreignListener = await this.router.open("any", FOREIGN_VPCE);
  }

  async stop(): Promise<void> {
    await this.router.stop();
    await this.dynamoDb.stop();
    this.efs.removeFolders();
    this.forgetExitCleanup();
  }

  /** What is deployed, by kind: all zero after every stack is destroyed. */
  inventory(): Record<string, number> {
    const domains = [...this.domains.values()];
    return {
      roles: this.roles.size,
      managedPolicies: this.iam.managedPolicies.size,
      domains: this.domains.size,
      userProfiles: domains.reduce((n, d) => n + d.profiles.size, 0),
      apps: this.apps.filter((a) => a.status !== "Deleted").length,
      spaces: domains.reduce((n, d) => n + d.spaces.size, 0),
      securityGroups: this.securityGroups.size,
      vpcs: this.vpcs.size,
      mountTargets: [...this.fileSystems.values()].reduce((n, fs) => n + fs.mountTargets.size, 0),
      endpoints: this.endpoints.size,
    };
  }

  // --- settings the rehearsal, the benchmark and the tests change ---

  get organization(): Organizations["organization"] {
    return this.organizations.organization;
  }

  set organization(value: Organizations["organization"]) {
    this.organizations.organization = value;
  }

  /** Fraction of STS and SageMaker calls answered with throttling (for the failure benchmark). */
  get throttleRate(): number {
    return this.traffic.throttleRate;
  }

  set throttleRate(value: number) {
    this.traffic.throttleRate = value;
  }

  get random(): Traffic["random"] {
    return this.traffic.random;
  }

  set random(value: Traffic["random"]) {
    this.traffic.random = value;
  }

  /** How long a new user profile stays Pending (real SageMaker: seconds). */
  get profileStartMs(): number {
    return this.sageMaker.resources.profileStartMs;
  }

  set profileStartMs(value: number) {
    this.sageMaker.resources.profileStartMs = value;
  }

  /** Where the folders standing for EFS file systems are made (the sandbox: its state folder). */
  get fileSystemsDir(): string {
    return this.efs.fileSystemsDir;
  }

  set fileSystemsDir(value: string) {
    this.efs.fileSystemsDir = value;
  }

  /** Runs a Lambda function the stacks deployed (the rehearsal's hosts). */
  get invokeFunction(): Lambda["invokeFunction"] {
    return this.lambda.invokeFunction;
  }

  set invokeFunction(value: Lambda["invokeFunction"]) {
    this.lambda.invokeFunction = value;
  }

  /** Delivers stream records to a function, as Lambda's poller does. */
  get deliver(): DynamoDbStreams["deliver"] {
    return this.dynamoDb.streams.deliver;
  }

  set deliver(value: DynamoDbStreams["deliver"]) {
    this.dynamoDb.streams.deliver = value;
  }

  get apiHandler(): Router["apiHandler"] {
    return this.router.apiHandler;
  }

  set apiHandler(value: Router["apiHandler"]) {
    this.router.apiHandler = value;
  }

  // --- management (what `pulumi up` and `destroy` do, through the deployer), by service ---

  // the endpoints

  createEndpoint(
    ...args: Parameters<Router["createEndpoint"]>
  ): ReturnType<Router["createEndpoint"]> {
    return this.router.createEndpoint(...args);
  }

  tlsListener(...args: Parameters<Router["tlsListener"]>): ReturnType<Router["tlsListener"]> {
    return this.router.tlsListener(...args);
  }

  deleteEndpoint(
    ...args: Parameters<Router["deleteEndpoint"]>
  ): ReturnType<Router["deleteEndpoint"]> {
    return this.router.deleteEndpoint(...args);
  }

  // IAM

  createRole(...args: Parameters<Iam["createRole"]>): void {
    this.iam.createRole(...args);
  }

  roleArnByName(...args: Parameters<Iam["roleArnByName"]>): ReturnType<Iam["roleArnByName"]> {
    return this.iam.roleArnByName(...args);
  }

  putRolePolicy(...args: Parameters<Iam["putRolePolicy"]>): void {
    this.iam.putRolePolicy(...args);
  }

  deleteRolePolicy(...args: Parameters<Iam["deleteRolePolicy"]>): void {
    this.iam.deleteRolePolicy(...args);
  }

  createPolicy(...args: Parameters<Iam["createPolicy"]>): void {
    this.iam.createPolicy(...args);
  }

  deletePolicy(...args: Parameters<Iam["deletePolicy"]>): void {
    this.iam.deletePolicy(...args);
  }

  attachRolePolicy(...args: Parameters<Iam["attachRolePolicy"]>): void {
    this.iam.attachRolePolicy(...args);
  }

  detachRolePolicy(...args: Parameters<Iam["detachRolePolicy"]>): void {
    this.iam.detachRolePolicy(...args);
  }

  /** Takes every permission policy off a role (as its account's administrator could); answers how to put them back. */
  suspendRolePolicies(arn: string): () => void {
    const role = this.iam.roles.get(arn);
    if (!role) throw new Error(`no role ${arn}`);
    const policies = new Map(role.policies);
    const attached = new Set(role.attached);
    role.policies.clear();
    role.attached.clear();
    return () => {
      for (const [name, doc] of policies) role.policies.set(name, doc);
      for (const policyArn of attached) role.attached.add(policyArn);
    };
  }

  deleteRole(...args: Parameters<Iam["deleteRole"]>): void {
    this.iam.deleteRole(...args);
  }

  // IAM's decision

  decideAsRole(
    ...args: Parameters<IamDecision["decideAsRole"]>
  ): ReturnType<IamDecision["decideAsRole"]> {
    return this.decision.decideAsRole(...args);
  }

  // Organizations

  attachServiceControlPolicy(
    ...args: Parameters<Organizations["attachServiceControlPolicy"]>
  ): void {
    this.organizations.attachServiceControlPolicy(...args);
  }

  // STS

  issueCredentials(
    ...args: Parameters<Sts["issueCredentials"]>
  ): ReturnType<Sts["issueCredentials"]> {
    return this.sts.issueCredentials(...args);
  }

  // SageMaker

  createDomain(
    ...args: Parameters<SageMakerResources["createDomain"]>
  ): ReturnType<SageMakerResources["createDomain"]> {
    return this.sageMaker.resources.createDomain(...args);
  }

  /**
   * CreateApp as a role's session from inside Studio (a call the emulator does not receive over
   * the wire): IAM decides it with the role's policies and the request's
   * `ResourceSpec.InstanceType` as `sagemaker:InstanceTypes` (Service Authorization Reference,
   * Amazon SageMaker AI: CreateApp carries the key,
   * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html),
   * with Studio's `sagemaker:DomainId` and `sagemaker:UserProfileName`. Refused: an
   * AccessDeniedException in AWS's words; allowed: the app, InService, active now.
   */
  async createAppAs(
    roleArn: string,
    app: {
      domainId: string;
      userProfileName: string;
      appType: string;
      appName: string;
      instanceType?: string;
    },
  ): Promise<StudioApp> {
    const resources = this.sageMaker.resources;
    const domain = resources.domains.get(app.domainId);
    const resource = resources.arn(
      domain,
      `app/${app.domainId}/${app.userProfileName}/${app.appType.toLowerCase()}/${app.appName}`,
    );
    const outcome = await this.decision.decideAsRole(roleArn, "sagemaker:CreateApp", resource, {
      "sagemaker:DomainId": app.domainId,
      "sagemaker:UserProfileName": app.userProfileName,
      ...(app.instanceType ? { "sagemaker:InstanceTypes": [app.instanceType] } : {}),
    });
    this.traffic.count(`SageMaker.CreateApp:${outcome}`);
    // In AWS's words, which name the action and the kind of policy, never the instance type
    // ("Access denied error messages", IAM User Guide,
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_access-denied.html).
    if (outcome !== "Allowed")
      throw new Error(
        `AccessDeniedException: ${notAuthorized(`arn:aws:sts::${roleArn.split(":")[4] ?? ""}:assumed-role/${roleArn.split("/").pop() ?? ""}/SageMaker`, "sagemaker:CreateApp", resource)} ${outcome === "ExplicitlyDenied" ? "with an explicit deny in an identity-based policy" : "because no identity-based policy allows the sagemaker:CreateApp action"}`,
      );
    const created: StudioApp = {
      domainId: app.domainId,
      userProfileName: app.userProfileName,
      appType: app.appType,
      appName: app.appName,
      status: "InService",
      tags: { ...(domain?.tags ?? {}) },
      ...(app.instanceType ? { instanceType: app.instanceType } : {}),
      createdAt: resources.now(),
      lastActivity: resources.now(),
    };
    resources.apps.push(created);
    return created;
  }

  /** The user works in an app now (on the idle-shutdown clock): it is not idle. */
  recordActivity(app: StudioApp): void {
    app.lastActivity = this.sageMaker.resources.now();
  }

  /** Moves the idle-shutdown clock ahead; returns the apps SageMaker's idle shutdown stopped. */
  advanceClock(minutes: number): StudioApp[] {
    return this.sageMaker.resources.advanceClock(minutes);
  }

  deleteDomain(...args: Parameters<SageMakerResources["deleteDomain"]>): void {
    this.sageMaker.resources.deleteDomain(...args);
  }

  createUserProfile(...args: Parameters<SageMakerResources["createUserProfile"]>): void {
    this.sageMaker.resources.createUserProfile(...args);
  }

  deleteUserProfile(...args: Parameters<SageMakerResources["deleteUserProfile"]>): void {
    this.sageMaker.resources.deleteUserProfile(...args);
  }

  createSpace(...args: Parameters<SageMakerResources["createSpace"]>): void {
    this.sageMaker.resources.createSpace(...args);
  }

  updateSpace(...args: Parameters<SageMakerResources["updateSpace"]>): void {
    this.sageMaker.resources.updateSpace(...args);
  }

  fileSystemOf(
    ...args: Parameters<SageMakerResources["fileSystemOf"]>
  ): ReturnType<SageMakerResources["fileSystemOf"]> {
    return this.sageMaker.resources.fileSystemOf(...args);
  }

  homeDirectory(
    ...args: Parameters<SageMakerResources["homeDirectory"]>
  ): ReturnType<SageMakerResources["homeDirectory"]> {
    return this.sageMaker.resources.homeDirectory(...args);
  }

  profileStatus(
    ...args: Parameters<SageMakerResources["profileStatus"]>
  ): ReturnType<SageMakerResources["profileStatus"]> {
    return this.sageMaker.resources.profileStatus(...args);
  }

  allProfiles(
    ...args: Parameters<SageMakerResources["allProfiles"]>
  ): ReturnType<SageMakerResources["allProfiles"]> {
    return this.sageMaker.resources.allProfiles(...args);
  }

  // EC2

  createVpc(...args: Parameters<Ec2["createVpc"]>): void {
    this.ec2.createVpc(...args);
  }

  deleteVpc(...args: Parameters<Ec2["deleteVpc"]>): void {
    this.ec2.deleteVpc(...args);
  }

  createSubnet(...args: Parameters<Ec2["createSubnet"]>): void {
    this.ec2.createSubnet(...args);
  }

  deleteSubnet(...args: Parameters<Ec2["deleteSubnet"]>): void {
    this.ec2.deleteSubnet(...args);
  }

  createSecurityGroup(
    ...args: Parameters<Ec2["createSecurityGroup"]>
  ): ReturnType<Ec2["createSecurityGroup"]> {
    return this.ec2.createSecurityGroup(...args);
  }

  deleteSecurityGroup(...args: Parameters<Ec2["deleteSecurityGroup"]>): void {
    this.ec2.deleteSecurityGroup(...args);
  }

  // EFS

  mountOf(...args: Parameters<Efs["mountOf"]>): ReturnType<Efs["mountOf"]> {
    return this.efs.mountOf(...args);
  }

  // DynamoDB

  /** Puts the IAM-deciding gateway in front of the DynamoDB emulator at `targetUrl`: its address. */
  dynamoGateway(targetUrl: string): Promise<string> {
    return this.dynamoDb.start(targetUrl);
  }

  expireItems(...args: Parameters<DynamoDbStreams["expireItems"]>): Promise<number> {
    return this.dynamoDb.streams.expireItems(...args);
  }
}
