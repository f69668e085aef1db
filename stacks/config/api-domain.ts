import { getDomain, getPublicSuffix } from "tldts";
import { z } from "zod";
import type { ApiDomainConfig } from "../../components/access/api-domain";
import { ACCOUNT_ID, REGION, refuse, strict, writtenAs, type Problems } from "./common";

/**
 * The optional `apiDomain`: a private custom domain name for the API ("Custom domain names for
 * private APIs in API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html).
 * The name is checked here alone; the certificate's region and account against the hub's in
 * `apiDomainProblems`, which knows them.
 */
const EXPECTED = "{name: <DNS name, such as studio.corp.example.com>, certificateArn: <ACM ARN>}";
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CERTIFICATE_SHAPE = "arn:aws:acm:<region>:<account>:certificate/<uuid>";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * AWS's own DNS suffixes: each partition's service names and dual-stack names ("AWS service
 * endpoints", https://docs.aws.amazon.com/general/latest/gr/rande.html; "Amazon SageMaker Studio"
 * apps at *.sagemaker.aws) and the .aws top-level domain AWS holds. A private zone for any of them
 * would shadow AWS's endpoints for the hub VPC and every client that forwards the name.
 */
export const AWS_SUFFIXES = [
  "amazonaws.com",
  "amazonaws.com.cn",
  "amazonwebservices.com.cn",
  "amazonaws.eu",
  "c2s.ic.gov",
  "sc2s.sgov.gov",
  "aws",
] as const;
const UNDER_AWS = AWS_SUFFIXES.map(
  (suffix) => `(?!(?:.*\\.)?${suffix.replace(/\./g, "\\.")}$)`,
).join("");
// Three labels or more, none under AWS's suffixes (the public-suffix check is code only).
const NAME_PATTERN = new RegExp(
  `^(?=.{1,253}$)${UNDER_AWS}[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?){2,}$`,
);
const SHADOWS = "the private zone made for the name answers for every name under it";
const CERTIFICATE_PATTERN =
  /^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why `name` is not a DNS name the domain can have, or undefined when it is one. */
export function domainNameProblem(name: string): string | undefined {
  if (name.length > 253) return `at most 253 characters (it has ${String(name.length)})`;
  const labels = name.split(".");
  if (labels.length < 3)
    return `at least three labels, such as studio.corp.example.com (${SHADOWS})`;
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined)
    return bad.length > 63
      ? `labels of at most 63 characters ("${bad.slice(0, 20)}…" has ${String(bad.length)})`
      : `labels of lower-case letters, digits and inner dashes ("${bad}" is not one)`;
  const aws = AWS_SUFFIXES.find((suffix) => name === suffix || name.endsWith(`.${suffix}`));
  if (aws !== undefined)
    return `a name of your organization's, not under ${aws} (AWS's own names: ${SHADOWS})`;
  // The Public Suffix List (https://publicsuffix.org/), ICANN's and its private section's: a name
  // that is a suffix or a registrable domain itself would hold the whole organization's names.
  for (const allowPrivateDomains of [false, true]) {
    const options = { allowPrivateDomains };
    if (getPublicSuffix(name, options) === name)
      return `a name below a public suffix ("${name}" is one: ${SHADOWS})`;
    if (getDomain(name, options) === name)
      return `a name below a registrable domain ("${name}" is one, its organization's own: ${SHADOWS})`;
  }
  return undefined;
}

/** Why `arn` is not an ACM certificate ARN, naming the part that is wrong; undefined when it is. */
export function certificateArnProblem(arn: string): string | undefined {
  const [prefix, partition = "", service, region = "", account = "", resource = "", ...rest] =
    arn.split(":");
  const [kind, id = "", ...more] = resource.split("/");
  if (prefix !== "arn" || !/^aws[a-z-]*$/.test(partition) || rest.length > 0)
    return `an ACM certificate ARN, ${CERTIFICATE_SHAPE}`;
  if (service !== "acm")
    return `an ACM certificate ARN, ${CERTIFICATE_SHAPE} (the service is "${String(service)}", not acm)`;
  if (!REGION.test(region)) return `an ACM certificate ARN whose region is a region ("${region}")`;
  if (!ACCOUNT_ID.test(account))
    return `an ACM certificate ARN whose account is 12 digits ("${account}")`;
  if (kind !== "certificate" || more.length > 0 || !UUID.test(id))
    return `an ACM certificate ARN ending certificate/<uuid> ("${resource}" is not)`;
  return undefined;
}

const apiDomainObject = strict(
  {
    name: z
      .string({ error: "a DNS name, such as studio.corp.example.com" })
      .superRefine((name, ctx) => {
        const problem = domainNameProblem(name);
        if (problem) refuse(ctx, [], name, `a DNS name of ${problem}`);
      }),
    certificateArn: z
      .string({ error: `an ACM certificate ARN, ${CERTIFICATE_SHAPE}` })
      .superRefine((arn, ctx) => {
        const problem = certificateArnProblem(arn);
        if (problem) refuse(ctx, [], arn, problem);
      }),
  },
  EXPECTED,
);
const DESCRIPTION =
  "a private custom domain name for the API: {name, certificateArn} (the ACM certificate in the hub's region and account)";
// The checks are code, which a JSON Schema cannot carry: editors get the patterns instead.
writtenAs.set(
  apiDomainObject,
  z
    .strictObject({
      name: z
        .string()
        .regex(NAME_PATTERN)
        .describe(
          `a lower-case DNS name of three labels or more, below a registrable domain, not under ${AWS_SUFFIXES.join(", ")}`,
        ),
      certificateArn: z.string().regex(CERTIFICATE_PATTERN).describe(CERTIFICATE_SHAPE),
    })
    .describe(DESCRIPTION),
);
export const apiDomain = apiDomainObject.optional().describe(DESCRIPTION);

/**
 * The partition of a region ("Identify AWS resources with Amazon Resource Names (ARNs)",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html): aws-cn for the China
 * regions, aws-us-gov for GovCloud (US), aws for the others this program deploys to.
 */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The host of the SAML IdP's entity id when it is a URL (most IdPs' are), else undefined. */
function idpHost(entityId: string | undefined): string | undefined {
  if (entityId === undefined || !/^https?:\/\//i.test(entityId)) return undefined;
  try {
    return new URL(entityId).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The certificate in the hub's partition, region and account (API Gateway takes no other), each
 * part named; the name neither the SAML IdP's host nor a parent of it.
 */
export function apiDomainProblems(
  raw: z.output<typeof apiDomain>,
  hub: {
    readonly region: string;
    readonly hubAccountId: string | undefined;
    readonly samlEntityId?: string;
  },
  problems: Problems,
): ApiDomainConfig | undefined {
  if (raw === undefined) return undefined;
  const [, partition, , region, account] = raw.certificateArn.split(":");
  let accepted = true;
  const host = idpHost(hub.samlEntityId);
  if (host !== undefined && (host === raw.name || host.endsWith(`.${raw.name}`))) {
    accepted = false;
    problems.at(
      "apiDomain.name",
      raw.name,
      `a name other than the SAML IdP's host ${host} or a parent of it (saml.idpEntityId): ${SHADOWS}, and the IdP's would no longer resolve`,
    );
  }
  const hubPartition = partitionOf(hub.region);
  if (partition !== hubPartition) {
    accepted = false;
    problems.at(
      "apiDomain.certificateArn",
      raw.certificateArn,
      `a certificate in the hub's partition ${hubPartition} (this one's partition is ${String(partition)}): API Gateway uses an ACM certificate of its own region`,
    );
  }
  if (region !== hub.region) {
    accepted = false;
    problems.at(
      "apiDomain.certificateArn",
      raw.certificateArn,
      `a certificate in the hub's region ${hub.region} (this one's region is ${String(region)}): API Gateway uses an ACM certificate of its own region`,
    );
  }
  if (hub.hubAccountId !== undefined && account !== hub.hubAccountId) {
    accepted = false;
    problems.at(
      "apiDomain.certificateArn",
      raw.certificateArn,
      `a certificate in the hub account ${hub.hubAccountId} (this one's account is ${String(account)})`,
    );
  }
  return accepted ? { name: raw.name, certificateArn: raw.certificateArn } : undefined;
}
