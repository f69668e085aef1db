import { Agent, createServer, request } from "node:http";
import { close, listen } from "../../scripts/sandbox/aws/http";

/**
 * The emulators keep an idle keep-alive connection open past Node's default keepAliveTimeout (5 s;
 * Node 20.20 closes at about 6 s, measured: 7 s is past both): the sandbox's AWS SDK clients reuse idle sockets without a time limit, and a server closing one
 * as a request goes out on it is "socket hang up" (issue #22's rehearsal flake under load).
 */
describe("the emulators' listeners (scripts/sandbox/aws/http.ts listen)", () => {
  it("keep an idle keep-alive connection open past 7 s, so the client's next request reuses it", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    const url = await listen(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ body: string; reused: boolean }>((resolve, reject) => {
        const req = request(url, { agent }, (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
          res.on("end", () => {
            resolve({ body, reused: req.reusedSocket });
          });
        });
        req.on("error", reject);
        req.end();
      });
    try {
      expect(await get()).toEqual({ body: "ok", reused: false });
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      expect(await get()).toEqual({ body: "ok", reused: true });
    } finally {
      agent.destroy();
      await close(server);
    }
  }, 30_000);
});
