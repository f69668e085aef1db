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
const NAME_PATTERN =
  /^(?=.{1,253}$)(?!.*\.amazonaws\.com$)(?!amazonaws\.com$)(?!.*\.aws$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const CERTIFICATE_PATTERN =
  /^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why `name` is not a DNS name the domain can have, or undefined when it is one. */
export function domainNameProblem(name: string): string | undefined {
  if (name.length > 253) return `at most 253 characters (it has ${String(name.length)})`;
  const labels = name.split(".");
  if (labels.length < 2) return "at least two labels (studio.corp.example.com)";
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined)
    return bad.length > 63
      ? `labels of at most 63 characters ("${bad.slice(0, 20)}…" has ${String(bad.length)})`
      : `labels of lower-case letters, digits and inner dashes ("${bad}" is not one)`;
  if (name === "amazonaws.com" || name.endsWith(".amazonaws.com") || labels.at(-1) === "aws")
    return "a name of your organization's, not under amazonaws.com or .aws (AWS's own names)";
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
        .describe("a lower-case DNS name of two labels or more, not under amazonaws.com or .aws"),
      certificateArn: z.string().regex(CERTIFICATE_PATTERN).describe(CERTIFICATE_SHAPE),
    })
    .describe(DESCRIPTION),
);
export const apiDomain = apiDomainObject.optional().describe(DESCRIPTION);

/** The certificate in the hub's region and account (API Gateway takes no other), each part named. */
export function apiDomainProblems(
  raw: z.output<typeof apiDomain>,
  hub: { readonly region: string; readonly hubAccountId: string | undefined },
  problems: Problems,
): ApiDomainConfig | undefined {
  if (raw === undefined) return undefined;
  const [, , , region, account] = raw.certificateArn.split(":");
  let accepted = true;
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
