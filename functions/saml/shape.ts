import { loggable } from "../shared/log";
import { SamlRefused } from "./refused";

/*
 * Limits on a response's shape, checked in one linear pass before any XML parser runs. node-saml's
 * XPath orders nodes quadratically (12,000 siblings took 13.8 s of CPU), and xmldom scans the whole
 * text once per distinct unclosed element name, so what a parser may see is bounded here. Each is
 * far above what IAM Identity Center, Okta or Entra ID send: a signed response with 50 group values
 * and 3 other attributes has 85 elements, 7 levels and 28 distinct element names.
 */

/** Every element in the document: 500 group values with the rest of a response are under 600. */
export const MAX_ELEMENTS = 2000;
/** Nesting: a signed assertion reaches 7 (Response/Assertion/Signature/SignedInfo/…/Transform). */
export const MAX_DEPTH = 16;
/** Element children of one element: one AttributeValue per group; Entra sends at most 150 groups. */
export const MAX_CHILDREN = 500;
/**
 * Children of the Response: the schema allows Issuer, Signature, Extensions, Status and the one
 * Assertion. node-saml's XPath over them is quadratic (497 of them cost up to 84 ms of CPU).
 */
export const MAX_RESPONSE_CHILDREN = 8;
/** Attributes on one element, namespace declarations included (a Response carries about 8). */
export const MAX_ATTRIBUTES = 16;
/** Namespace declarations on one element (Okta puts 2 on each AttributeValue, a Response about 4). */
export const MAX_NAMESPACE_DECLARATIONS = 8;
/** Distinct element names: a response uses about 30. */
export const MAX_DISTINCT_NAMES = 100;
/** An element's or attribute's name: the longest in SAML is under 30 characters. */
export const MAX_NAME_LENGTH = 128;
/** One attribute's value: URLs and ids, far under 4 KB. */
export const MAX_ATTRIBUTE_VALUE = 4096;
/** One text run: a certificate of a 8192-bit key is about 3 KB of base64, a group name far less. */
export const MAX_TEXT = 16 * 1024;
/**
 * Assertions (encrypted or not, anywhere in the document): one. Identity Center, Okta and Entra send
 * one, node-saml reads one, and a second is the classic signature-wrapping carrier.
 */
export const MAX_ASSERTIONS = 1;
/** Signatures: one on the response and one on the assertion at most; more only add verification work. */
export const MAX_SIGNATURES = 2;

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
export const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
/** How much of a status code a reason repeats (codes are URNs under 60 characters). */
const LOGGED_STATUS = 100;

// XML names as SAML and XML-DSig use them (ASCII, at most one prefix); anything else is refused.
const NAME = "[A-Za-z_][\\w.-]*(?::[A-Za-z_][\\w.-]*)?";
const START_NAME = new RegExp(NAME, "y");
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, "y");
const TAG_END = /\s*(\/?)>/y;
const END_TAG = new RegExp(`</(${NAME})\\s*>`, "y");
const XML_DECLARATION = /^\uFEFF?<\?xml\s[^<>?]*\?>/;
const BLANK = /^\s*$/;

interface Frame {
  readonly name: string;
  /** Prefix → namespace declared on this element, when it declares any. */
  readonly namespaces?: ReadonlyMap<string, string>;
  children: number;
  /** Whether this is the response's own samlp:Status. */
  readonly status: boolean;
}

const localName = (name: string) => name.slice(name.indexOf(":") + 1);
const prefixOf = (name: string) => (name.includes(":") ? name.slice(0, name.indexOf(":")) : "");

/** The namespace `name`'s prefix is bound to, on its own element or above it in `stack`. */
function namespaceOf(
  name: string,
  own: ReadonlyMap<string, string> | undefined,
  stack: readonly Frame[],
): string | undefined {
  const prefix = prefixOf(name);
  const declared = own?.get(prefix);
  if (declared !== undefined) return declared;
  for (let i = stack.length - 1; i >= 0; i--) {
    const uri = stack[i]?.namespaces?.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/**
 * Refuses (SamlRefused) a response whose shape no IdP sends, in one pass over the text that stops
 * at the first excess, so its cost is linear in the (64 KB) input whatever the input is. It also
 * refuses what node-saml leaves through: a top-level element other than one samlp:Response, a
 * status other than Success (SAML core §3.2.2.2; node-saml reads the status only when there is no
 * assertion), no assertion or more than one, an EncryptedAssertion (no decryption key is
 * configured). The grammar is strict XML without DTDs, comments or processing instructions: a
 * text this scan cannot read is refused, never passed on.
 */
export function checkShape(xml: string): void {
  const stack: Frame[] = [];
  const names = new Set<string>();
  let elements = 0;
  let assertions = 0;
  let signatures = 0;
  let roots = 0;
  let statuses = 0;
  let statusCode: string | undefined;
  let pos = XML_DECLARATION.exec(xml)?.[0].length ?? 0;

  while (pos < xml.length) {
    const open = xml.indexOf("<", pos);
    const textEnd = open < 0 ? xml.length : open;
    if (textEnd > pos) {
      if (textEnd - pos > MAX_TEXT) throw new SamlRefused(`text over ${String(MAX_TEXT)} chars`);
      if (stack.length === 0 && !BLANK.test(xml.slice(pos, textEnd)))
        throw new SamlRefused("malformed: text outside the top-level element");
    }
    if (open < 0) break;
    const next = xml.charAt(open + 1);

    if (next === "/") {
      END_TAG.lastIndex = open;
      const end = END_TAG.exec(xml);
      const frame = stack.pop();
      if (!end || !frame || end[1] !== frame.name) throw new SamlRefused("malformed: end tag");
      pos = END_TAG.lastIndex;
      continue;
    }
    if (next === "!") {
      const parent = stack.at(-1);
      if (xml.startsWith("<![CDATA[", open) && parent) {
        // A CDATA section is a node of its own: it counts among its parent's children.
        if (++parent.children > MAX_CHILDREN)
          throw new SamlRefused(`an element with more than ${String(MAX_CHILDREN)} children`);
        const close = xml.indexOf("]]>", open + 9);
        if (close < 0) throw new SamlRefused("malformed: unterminated CDATA");
        if (close - open - 9 > MAX_TEXT)
          throw new SamlRefused(`text over ${String(MAX_TEXT)} chars`);
        pos = close + 3;
        continue;
      }
      throw new SamlRefused("malformed: markup declaration");
    }
    if (next === "?") throw new SamlRefused("malformed: processing instruction");

    // A start tag.
    START_NAME.lastIndex = open + 1;
    const name = START_NAME.exec(xml)?.[0];
    if (name === undefined) throw new SamlRefused("malformed: tag");
    if (name.length > MAX_NAME_LENGTH)
      throw new SamlRefused(`name over ${String(MAX_NAME_LENGTH)} chars`);
    if (++elements > MAX_ELEMENTS)
      throw new SamlRefused(`more than ${String(MAX_ELEMENTS)} elements`);
    if (stack.length >= MAX_DEPTH) throw new SamlRefused(`nested deeper than ${String(MAX_DEPTH)}`);
    const parent = stack.at(-1);
    if (parent) {
      if (++parent.children > MAX_CHILDREN)
        throw new SamlRefused(`an element with more than ${String(MAX_CHILDREN)} children`);
      if (stack.length === 1 && parent.children > MAX_RESPONSE_CHILDREN)
        throw new SamlRefused(
          `more than ${String(MAX_RESPONSE_CHILDREN)} children of the Response`,
        );
    } else if (++roots > 1) throw new SamlRefused("more than one top-level element");
    names.add(name);
    if (names.size > MAX_DISTINCT_NAMES)
      throw new SamlRefused(`more than ${String(MAX_DISTINCT_NAMES)} distinct element names`);

    let at = open + 1 + name.length;
    let attributes = 0;
    let declarations: Map<string, string> | undefined;
    let values: Map<string, string> | undefined;
    for (;;) {
      ATTRIBUTE.lastIndex = at;
      const attribute = ATTRIBUTE.exec(xml);
      if (!attribute) break;
      at = ATTRIBUTE.lastIndex;
      const [, attributeName = "", double, single] = attribute;
      const value = double ?? single ?? "";
      if (++attributes > MAX_ATTRIBUTES)
        throw new SamlRefused(`an element with more than ${String(MAX_ATTRIBUTES)} attributes`);
      if (attributeName.length > MAX_NAME_LENGTH)
        throw new SamlRefused(`name over ${String(MAX_NAME_LENGTH)} chars`);
      if (value.length > MAX_ATTRIBUTE_VALUE)
        throw new SamlRefused(`attribute value over ${String(MAX_ATTRIBUTE_VALUE)} chars`);
      values ??= new Map();
      if (values.has(attributeName)) throw new SamlRefused("malformed: attribute repeated");
      values.set(attributeName, value);
      if (attributeName === "xmlns" || attributeName.startsWith("xmlns:")) {
        declarations ??= new Map();
        if (declarations.size >= MAX_NAMESPACE_DECLARATIONS)
          throw new SamlRefused(
            `an element with more than ${String(MAX_NAMESPACE_DECLARATIONS)} namespace declarations`,
          );
        declarations.set(attributeName === "xmlns" ? "" : attributeName.slice(6), value);
      }
    }
    TAG_END.lastIndex = at;
    const tagEnd = TAG_END.exec(xml);
    if (!tagEnd) throw new SamlRefused("malformed: tag");
    pos = TAG_END.lastIndex;

    const local = localName(name);
    if (local === "Assertion" || local === "EncryptedAssertion") {
      if (local === "EncryptedAssertion")
        throw new SamlRefused("EncryptedAssertion (no decryption key is configured)");
      if (++assertions > MAX_ASSERTIONS)
        throw new SamlRefused(`more than ${String(MAX_ASSERTIONS)} Assertion`);
    }
    if (local === "Signature" && ++signatures > MAX_SIGNATURES)
      throw new SamlRefused(`more than ${String(MAX_SIGNATURES)} Signature elements`);

    // Namespaces are resolved only for the few elements whose namespace decides something.
    const inProtocol = () => namespaceOf(name, declarations, stack) === PROTOCOL;
    if (!parent && !(local === "Response" && inProtocol()))
      throw new SamlRefused("the top-level element is not a samlp:Response");
    const isStatus = stack.length === 1 && local === "Status" && inProtocol();
    if (isStatus && ++statuses > 1) throw new SamlRefused("more than one Status");
    // The top-level StatusCode: the Status's first child (SAML core §3.2.2.1).
    if (parent?.status && parent.children === 1 && local === "StatusCode" && inProtocol())
      statusCode = values?.get("Value") ?? "";
    const frame: Frame = { name, namespaces: declarations, children: 0, status: isStatus };
    if (tagEnd[1] !== "/") stack.push(frame);
  }

  if (roots === 0) throw new SamlRefused("malformed: no top-level element");
  if (stack.length > 0) throw new SamlRefused("malformed: unclosed element");
  if (statusCode === undefined) throw new SamlRefused("no Status/StatusCode");
  if (statusCode !== STATUS_SUCCESS)
    throw new SamlRefused(`status ${loggable(statusCode, LOGGED_STATUS)}`);
  if (assertions === 0) throw new SamlRefused("no assertion");
}
