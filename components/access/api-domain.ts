import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "../lib/bundled-function";
import { apiDomainPolicy } from "../policies/resources";
import type { AccessPlacement } from "./scope";

/** The hub's `apiDomain`: a name people can remember, and the ACM certificate that covers it. */
export interface ApiDomainConfig {
  /** A DNS name of the organization's, such as studio.corp.example.com. */
  readonly name: string;
  /** An ACM certificate for `name`, in the hub's region and account. */
  readonly certificateArn: string;
}

export interface ApiDomainArgs {
  readonly domain: ApiDomainConfig;
  readonly region: string;
  /** The hub VPC: its private hosted zone for the name is associated with it. */
  readonly vpcId: pulumi.Input<string>;
  /** The hub execute-api endpoint: the only source the domain admits and is associated with. */
  readonly executeApiEndpointId: pulumi.Input<string>;
  /** That endpoint's regional DNS name and zone, which the name is an alias of. */
  readonly executeApiEndpointDns: pulumi.Input<{ dnsName: string; hostedZoneId: string }>;
  /** The private API and the stage mapped at the domain's root. */
  readonly restApiId: pulumi.Input<string>;
  readonly stage: aws.apigateway.Stage;
}

/**
 * A private custom domain name for the private API ("Custom domain names for private APIs in API
 * Gateway", API Gateway developer guide,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html):
 *
 * - the domain name, PRIVATE, with its own execute-api resource policy, which a private custom
 *   domain name must have and which admits the hub's execute-api endpoint only (as the API's does);
 * - the base path mapping of the API's stage at the domain's root, so `https://<name>/studios` is
 *   the stage's `/studios` (a private domain's mapping names it by `domainNameId` too);
 * - the domain name access association with the hub's execute-api endpoint: without it API
 *   Gateway does not route the endpoint's requests for the name ("To invoke a private API using a
 *   custom domain name, your VPC endpoint needs a domain name access association with a custom
 *   domain name, and the custom domain name needs to allow access for the VPC endpoint", "Invoke a
 *   private API", https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-api-test-invoke-url.html);
 * - a Route 53 private hosted zone for exactly the name, associated with the hub VPC, whose alias
 *   A record is the execute-api endpoint's regional name: the corporate resolvers forward this one
 *   name to the hub's inbound resolver, and nothing else of the parent domain.
 *
 * Quotas ("Amazon API Gateway quotas", https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html):
 * one domain name per hub, one base path mapping and one access association, far within API
 * Gateway's per-account and per-domain quotas.
 */
export class ApiDomain {
  readonly domainName: aws.apigateway.DomainName;
  /** The API's address at the domain: the root, as the stage is mapped there. */
  readonly url: string;

  constructor(scope: AccessPlacement, args: ApiDomainArgs) {
    const name = `${scope.name}-api-domain`;
    const parent = { parent: scope.parent };
    const { domain } = args;
    this.url = `https://${domain.name}/`;
    this.domainName = new aws.apigateway.DomainName(
      name,
      {
        domainName: domain.name,
        certificateArn: domain.certificateArn,
        endpointConfiguration: { types: "PRIVATE" },
        securityPolicy: "TLS_1_2",
        policy: policyJson(
          pulumi
            .output(args.executeApiEndpointId)
            .apply((executeApiEndpointId) => apiDomainPolicy({ executeApiEndpointId })),
        ),
      },
      parent,
    );
    // The stage's name is read from the stage, so the mapping is made after it (CreateBasePathMapping
    // refuses a stage that does not exist yet).
    new aws.apigateway.BasePathMapping(
      name,
      {
        domainName: this.domainName.domainName,
        domainNameId: this.domainName.domainNameId,
        restApi: args.restApiId,
        stageName: args.stage.stageName,
      },
      parent,
    );
    new aws.apigateway.DomainNameAccessAssociation(
      name,
      {
        domainNameArn: this.domainName.arn,
        accessAssociationSource: args.executeApiEndpointId,
        accessAssociationSourceType: "VPCE",
      },
      parent,
    );
    const zone = new aws.route53.Zone(
      name,
      {
        name: domain.name,
        comment: `studio-access: the private API at ${domain.name} through the hub execute-api endpoint`,
        vpcs: [{ vpcId: args.vpcId, vpcRegion: args.region }],
      },
      parent,
    );
    const target = pulumi.output(args.executeApiEndpointDns);
    new aws.route53.Record(
      name,
      {
        zoneId: zone.zoneId,
        name: domain.name,
        type: "A",
        aliases: [
          { name: target.dnsName, zoneId: target.hostedZoneId, evaluateTargetHealth: true },
        ],
      },
      parent,
    );
  }
}
