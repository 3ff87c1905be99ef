import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import { KooDriveClient } from "../../sdk/nodejs/client";
import { rejectsWithCode, TEST_TOKEN } from "../helpers/secrets";

const ANSWER = JSON.stringify({ code: 0, msg: "success", data: DOCUMENTED_EXAMPLE });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("KooDriveClient network settings", () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  async function koodrive(): Promise<string> {
    const server = createHttpServer((_request, response) => response.end(ANSWER));
    closers.push(() => server.close());
    return `http://${await listen(server)}`;
  }

  /** An HTTP proxy on loopback that tunnels CONNECT requests (as undici sends them) and records their targets. */
  async function tunnelingProxy(): Promise<{ url: string; seen: string[] }> {
    const seen: string[] = [];
    const server = createHttpServer();
    server.on("connect", (request, client, head) => {
      seen.push(request.url ?? "");
      const [host, port] = (request.url ?? "").split(":");
      const upstream = connect(Number(port), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    closers.push(() => server.close());
    return { url: `http://${await listen(server)}`, seen };
  }

  it("never sends a loopback endpoint through a proxy, so plain HTTP and the token stay on the machine", async () => {
    const endpoint = await koodrive();
    const proxy = await tunnelingProxy();
    const client = new KooDriveClient({
      endpoint,
      accessToken: TEST_TOKEN,
      env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url },
    });
    assert.equal((await client.getQuotaUsed()).userCount, 20);
    assert.deepEqual(proxy.seen, []);
    await client.close();
  });

  it("trusts a private CA given as caCert, and never an unknown one", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "koodrive-ca-"));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    const cert = readFileSync(path.join(dir, "cert.pem"), "utf8");
    const server = createHttpsServer({ key: readFileSync(path.join(dir, "key.pem")), cert }, (_request, response) =>
      response.end(ANSWER),
    );
    closers.push(() => server.close());
    const endpoint = `https://${await listen(server as unknown as Server)}`;

    const untrusting = new KooDriveClient({ endpoint, accessToken: TEST_TOKEN, env: {}, retries: 0 });
    const error = await rejectsWithCode(untrusting.getQuotaUsed(), "ERR_KOODRIVE_NETWORK");
    assert.match(error.message, /TLS with 127\.0\.0\.1:\d+ failed .*set caCert/);
    await untrusting.close();

    const trusting = new KooDriveClient({ endpoint, accessToken: TEST_TOKEN, env: {}, caCert: cert });
    assert.equal((await trusting.getQuotaUsed()).userMaxCount, 100);
    await trusting.close();
  });
});
