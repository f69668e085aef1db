import { request as httpRequest } from "node:http";
import { request } from "node:https";
import { TLSSocket } from "node:tls";
import type { PrivateApi } from "./api-gateway";
import type { AwsEmulator, Listener } from "./aws-emulator";
import type { StepRunner } from "./rehearsal";

/** The API's private custom domain name in the sandbox, and where a browser reaches it. */
export interface DomainAddress {
  readonly name: string;
  /** `https://<name>/`, as people use it. */
  readonly url: string;
  /** The hub execute-api endpoint over TLS with a self-signed certificate for the name. */
  readonly tls: string;
}

/**
 * A GET through a listener with the domain as its Host, as a client resolving the name sends it
 * (node:http: fetch would send the listener's address as the Host).
 */
function getAs(
  listener: Listener,
  host: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${listener.url}${path}`,
      { headers: { ...headers, Host: host } },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** A GET over TLS to `tls` for `https://<name><path>`: the status and the certificate's name. */
function getOverTls(
  tls: string,
  name: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; commonName: string }> {
  const { hostname, port } = new URL(tls);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path,
        servername: name,
        headers: { ...headers, Host: name },
        // The sandbox's certificate is self-signed: its name is checked below instead.
        rejectUnauthorized: false,
      },
      (res) => {
        const socket = res.socket;
        if (!(socket instanceof TLSSocket)) {
          reject(new Error("the answer did not come over TLS"));
          return;
        }
        const certificate = socket.getPeerCertificate();
        res.resume();
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, commonName: String(certificate.subject.CN) });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function expect(status: number, wanted: number, what: string, body = ""): void {
  if (status !== wanted)
    throw new Error(
      `${what}: expected ${String(wanted)}, got ${String(status)} ${body.slice(0, 200)}`,
    );
}

/**
 * The rehearsal's steps for the API's private custom domain name (`apiDomain`), when the hub
 * declares one: the name resolves through the hub's private zone to the execute-api endpoint,
 * the API answers there at the root (the base path mapping), over TLS too; another endpoint, or
 * the hub endpoint without its access association, is refused.
 */
export async function domainSteps(
  step: StepRunner,
  args: {
    readonly api: PrivateApi;
    readonly emulator: AwsEmulator;
    readonly resolve: (hostname: string) => Listener;
    /** A signed-in user's Authorization header (user-lob-a's, in lob-a only). */
    readonly bearer: () => Record<string, string>;
  },
): Promise<DomainAddress | undefined> {
  const [domain] = args.api.domains;
  if (!domain) return undefined;
  const { name } = domain;
  const address = await step(
    `custom domain: GET https://${name}/studios answers through the hub execute-api endpoint (no stage in the path), over TLS too`,
    async () => {
      const listener = args.resolve(name);
      const answer = await getAs(listener, name, "/studios", args.bearer());
      expect(answer.status, 200, `GET https://${name}/studios`, answer.body);
      const studios = (JSON.parse(answer.body) as { studios?: { lob: string }[] }).studios ?? [];
      if (studios.map((s) => s.lob).join(",") !== "lob-a")
        throw new Error(`expected lob-a only, got ${answer.body}`);
      // The stage is mapped at the root: /v1/studios is no resource of the API there.
      const staged = await getAs(listener, name, "/v1/studios", args.bearer());
      expect(staged.status, 403, `GET https://${name}/v1/studios`, staged.body);
      const tls = await args.emulator.tlsListener(listener.vpceId ?? "", name);
      const secure = await getOverTls(tls, name, "/studios", args.bearer());
      expect(secure.status, 200, `GET https://${name}/studios over TLS`);
      if (secure.commonName !== name)
        throw new Error(`the TLS certificate names ${secure.commonName}, not ${name}`);
      return {
        detail: `${name} → ${listener.vpceId ?? ""} (hub private zone); 200 ${answer.body}; /v1/studios there: ${String(staged.status)} ${staged.body}; TLS ${tls} (certificate for ${secure.commonName}): ${String(secure.status)}`,
        value: { name, url: `https://${name}/`, tls },
      };
    },
  );
  await step(
    `refused: https://${name}/studios through another VPC endpoint (no access association, 403)`,
    async () => {
      const answer = await getAs(args.emulator.foreignListener, name, "/studios", args.bearer());
      expect(answer.status, 403, "the domain through another endpoint", answer.body);
      return { detail: `403 ${answer.body}`, value: undefined };
    },
  );
  await step(
    `refused: https://${name}/studios through the hub endpoint once its access association is gone (403)`,
    async () => {
      const listener = args.resolve(name);
      const vpce = listener.vpceId ?? "";
      domain.associations.delete(vpce);
      try {
        const answer = await getAs(listener, name, "/studios", args.bearer());
        expect(answer.status, 403, "the domain without its association", answer.body);
        return {
          detail: `403 ${answer.body} (association with ${vpce} removed, then restored)`,
          value: undefined,
        };
      } finally {
        domain.associations.add(vpce);
      }
    },
  );
  return address;
}
