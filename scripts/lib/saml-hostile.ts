import {
  MAX_ATTRIBUTES,
  MAX_CHILDREN,
  MAX_DEPTH,
  MAX_DISTINCT_NAMES,
  MAX_ELEMENTS,
  MAX_NAMESPACE_DECLARATIONS,
  MAX_RESPONSE_CHILDREN,
  MAX_TEXT,
} from "../../functions/saml/shape";
import { MAX_RESPONSE_BYTES } from "../../functions/saml/assertion";

/**
 * Hostile SAMLResponse bodies, each at most 64 KB of base64 (the size limit lets them all through),
 * each shaped to make an XML parser or node-saml's XPath work hard, and the reason the SAML entry
 * must log when it refuses it. The tests check each reason; `npm run bench:functions` times them.
 */
export interface HostileBody {
  readonly name: string;
  /** The SAMLResponse form field: base64 of the XML. */
  readonly body: string;
  readonly reason: RegExp;
}

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
const DSIG = "http://www.w3.org/2000/09/xmldsig#";
const SUCCESS = `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`;
/** The XML that base64 of at most MAX_RESPONSE_BYTES holds. */
const XML_BUDGET = Math.floor((MAX_RESPONSE_BYTES / 4) * 3) - 64;

const open = `<samlp:Response xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="_hostile" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" Destination="https://api.example/v1/saml"><saml:Issuer>https://idp.example/</saml:Issuer>`;
const close = `</samlp:Response>`;
const assertion = (id: string) =>
  `<saml:Assertion ID="${id}" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://idp.example/</saml:Issuer><saml:Subject><saml:NameID>admin</saml:NameID></saml:Subject></saml:Assertion>`;

/** Repeats `unit` as often as fits between `before` and `after` in the budget. */
function fill(before: string, unit: string, after: string): string {
  const count = Math.floor((XML_BUDGET - before.length - after.length) / unit.length);
  return before + unit.repeat(Math.max(0, count)) + after;
}
/** `before` + `middle` + `after`, with `middle` grown to use the budget. */
function pad(before: string, char: string, after: string): string {
  return before + char.repeat(XML_BUDGET - before.length - after.length) + after;
}
const b64 = (xml: string) => Buffer.from(xml, "utf8").toString("base64");

/** Nested units, `<a>…</a>`, as deep as fits. */
function nested(before: string, openTag: string, closeTag: string, after: string): string {
  const count = Math.floor(
    (XML_BUDGET - before.length - after.length) / (openTag.length + closeTag.length),
  );
  return before + openTag.repeat(count) + closeTag.repeat(count) + after;
}

const bodies: [string, string, RegExp][] = [
  [
    "12,000 sibling elements (the 13.8 s incident)",
    fill(open + SUCCESS, "<a/>", close),
    new RegExp(`^more than ${String(MAX_RESPONSE_CHILDREN)} children of the Response$`),
  ],
  [
    "12,000 sibling elements one level down",
    fill(`${open}${SUCCESS}<samlp:Extensions>`, "<a/>", `</samlp:Extensions>${close}`),
    new RegExp(`^an element with more than ${String(MAX_CHILDREN)} children$`),
  ],
  [
    "many elements, each parent under the children limit",
    fill(
      `${open}${SUCCESS}<samlp:Extensions>`,
      `<g>${"<a/>".repeat(MAX_CHILDREN - 1)}</g>`,
      `</samlp:Extensions>${close}`,
    ),
    new RegExp(`^more than ${String(MAX_ELEMENTS)} elements$`),
  ],
  [
    "deep nesting",
    nested(open + SUCCESS, "<a>", "</a>", close),
    new RegExp(`^nested deeper than ${String(MAX_DEPTH)}$`),
  ],
  [
    "deep nesting, never closed",
    fill(open + SUCCESS, "<a>", ""),
    new RegExp(`^nested deeper than ${String(MAX_DEPTH)}$`),
  ],
  [
    "many attributes on one element",
    (() => {
      const before = `${open}${SUCCESS}<saml:Attribute`;
      const after = ` Name="g"/>${close}`;
      let attributes = "";
      for (let i = 0; before.length + attributes.length + after.length < XML_BUDGET - 16; i++)
        attributes += ` a${String(i)}=""`;
      return before + attributes + after;
    })(),
    new RegExp(`^an element with more than ${String(MAX_ATTRIBUTES)} attributes$`),
  ],
  [
    "many namespace declarations on one element",
    (() => {
      const before = `${open}${SUCCESS}<saml:Attribute`;
      const after = `/>${close}`;
      let declarations = "";
      for (let i = 0; before.length + declarations.length + after.length < XML_BUDGET - 32; i++)
        declarations += ` xmlns:p${String(i)}="urn:${String(i)}"`;
      return before + declarations + after;
    })(),
    new RegExp(
      `^an element with more than ${String(MAX_NAMESPACE_DECLARATIONS)} namespace declarations$`,
    ),
  ],
  [
    "namespace declarations on every level of a deep tree",
    nested(
      open + SUCCESS,
      `<a ${Array.from({ length: MAX_NAMESPACE_DECLARATIONS }, (_, i) => `xmlns:p${String(i)}="urn:x"`).join(" ")}>`,
      "</a>",
      close,
    ),
    new RegExp(`^nested deeper than ${String(MAX_DEPTH)}$`),
  ],
  [
    "many distinct element names (xmldom scans the text once per name)",
    (() => {
      const before = `${open}${SUCCESS}<samlp:Extensions>`;
      const after = `</samlp:Extensions>${close}`;
      let units = "";
      for (let i = 0; (before + units + after).length < XML_BUDGET - 32; i++)
        units += `<e${String(i)}></e${String(i)}>`;
      return before + units + after;
    })(),
    new RegExp(`^more than ${String(MAX_DISTINCT_NAMES)} distinct element names$`),
  ],
  ["many assertions", fill(open + SUCCESS, assertion("_a"), close), /^more than 1 Assertion$/],
  [
    "an assertion hidden in Extensions beside the real one",
    `${open}<samlp:Extensions>${assertion("_x")}</samlp:Extensions>${SUCCESS}${assertion("_a")}${close}`,
    /^more than 1 Assertion$/,
  ],
  [
    "an EncryptedAssertion",
    fill(
      `${open}${SUCCESS}<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:CipherData><xenc:CipherValue>`,
      "QUFB",
      `</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>${close}`,
    ),
    /^EncryptedAssertion \(no decryption key is configured\)$/,
  ],
  [
    "many Signature elements",
    fill(
      open + SUCCESS,
      `<ds:Signature xmlns:ds="${DSIG}"><ds:SignedInfo><ds:Reference URI="#_a"/></ds:SignedInfo></ds:Signature>`,
      close,
    ),
    /^more than 2 Signature elements$/,
  ],
  [
    "a huge text node",
    pad(
      `${open}${SUCCESS}<saml:Attribute Name="g"><saml:AttributeValue>`,
      "A",
      `</saml:AttributeValue></saml:Attribute>${close}`,
    ),
    new RegExp(`^text over ${String(MAX_TEXT)} chars$`),
  ],
  [
    "a huge CDATA section",
    pad(
      `${open}${SUCCESS}<saml:Attribute Name="g"><saml:AttributeValue><![CDATA[`,
      "A",
      `]]></saml:AttributeValue></saml:Attribute>${close}`,
    ),
    new RegExp(`^text over ${String(MAX_TEXT)} chars$`),
  ],
  [
    "many CDATA sections in one element",
    fill(
      `${open}${SUCCESS}<saml:AttributeValue>`,
      "<![CDATA[a]]>",
      `</saml:AttributeValue>${close}`,
    ),
    new RegExp(`^an element with more than ${String(MAX_CHILDREN)} children$`),
  ],
  [
    "a long attribute value",
    pad(`${open}${SUCCESS}<saml:Attribute Name="`, "g", `"/>${close}`),
    /^attribute value over 4096 chars$/,
  ],
  ["a long element name", pad(`${open}${SUCCESS}<a`, "a", `/>${close}`), /^name over 128 chars$/],
  [
    "a Responder status with a 40 KB StatusMessage",
    pad(
      `${open}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"/><samlp:StatusMessage>`,
      "x",
      `</samlp:StatusMessage></samlp:Status>${assertion("_a")}${close}`,
    ),
    new RegExp(`^text over ${String(MAX_TEXT)} chars$`),
  ],
  [
    "a 4 KB status code beside a valid-looking assertion",
    `${open}<samlp:Status><samlp:StatusCode Value="urn:${"x".repeat(4000)}"/></samlp:Status>${assertion("_a")}${close}`,
    /^status urn:x{96}…\(\d+ more\)$/,
  ],
  [
    "two top-level responses",
    fill(`${open}${SUCCESS}${assertion("_a")}${close}`, `${open}${close}`, ""),
    /^more than one top-level element$/,
  ],
  [
    "an assertion as the top-level element",
    fill(
      assertion("_a").replace("<saml:Assertion", `<saml:Assertion xmlns:saml="${ASSERTION}"`),
      " ",
      "",
    ),
    /^the top-level element is not a samlp:Response$/,
  ],
  [
    "a Response in another namespace",
    fill(open.replace(PROTOCOL, "urn:evil") + SUCCESS + assertion("_a") + close, " ", ""),
    /^the top-level element is not a samlp:Response$/,
  ],
  [
    "processing instructions",
    fill(open + SUCCESS, "<?pi x?>", close),
    /^malformed: processing instruction$/,
  ],
  ["unterminated tags", fill(open + SUCCESS, "<a b='", close), /^malformed: tag$/],
  ["many end tags without start tags", fill(open + SUCCESS, "</a>", close), /^malformed: end tag$/],
];

/** The corpus, built once. */
export const HOSTILE_BODIES: readonly HostileBody[] = bodies.map(([name, xml, reason]) => ({
  name,
  body: b64(xml),
  reason,
}));

/**
 * Bodies just inside every limit, unsigned: the shape check lets them through and node-saml refuses
 * them ("Invalid signature"), so their cost is what the limits leave an attacker.
 */
export const NEAR_LIMIT_BODIES: readonly HostileBody[] = (
  [
    [
      `${String(MAX_RESPONSE_CHILDREN - 3)} siblings beside the assertion`,
      `${open}${"<a/>".repeat(MAX_RESPONSE_CHILDREN - 3)}${SUCCESS}${assertion("_a")}${close}`,
    ],
    [
      `${String(MAX_CHILDREN)} children of Extensions`,
      `${open}<samlp:Extensions>${"<a/>".repeat(MAX_CHILDREN)}</samlp:Extensions>${SUCCESS}${assertion("_a")}${close}`,
    ],
    [
      `${String(MAX_CHILDREN)} values in one attribute`,
      `${open}${SUCCESS}${assertion("_a").replace(
        "</saml:Assertion>",
        `<saml:AttributeStatement><saml:Attribute Name="groups">${Array.from(
          { length: MAX_CHILDREN },
          (_, i) => `<saml:AttributeValue>group-${String(i)}</saml:AttributeValue>`,
        ).join("")}</saml:Attribute></saml:AttributeStatement></saml:Assertion>`,
      )}${close}`,
    ],
    [
      `${String(MAX_ELEMENTS - 20)} elements in Extensions`,
      `${open}<samlp:Extensions>${`<g>${"<a/>".repeat(MAX_CHILDREN - 1)}</g>`.repeat(
        Math.floor((MAX_ELEMENTS - 20) / MAX_CHILDREN),
      )}</samlp:Extensions>${SUCCESS}${assertion("_a")}${close}`,
    ],
    [
      `${String(MAX_DEPTH - 1)} levels, ${String(MAX_ATTRIBUTES)} attributes each`,
      `${open}${SUCCESS}${assertion("_a")}<samlp:Extensions>${`<a ${Array.from(
        { length: MAX_ATTRIBUTES },
        (_, i) => `a${String(i)}="${"v".repeat(64)}"`,
      ).join(" ")}>`.repeat(
        MAX_DEPTH - 2,
      )}${"</a>".repeat(MAX_DEPTH - 2)}</samlp:Extensions>${close}`,
    ],
  ] as const
).map(([name, xml]) => ({ name, body: b64(xml), reason: /^Invalid signature/ }));
