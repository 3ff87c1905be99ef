import assert from "node:assert/strict";
import http2 from "node:http2";
import type * as Grpc from "@grpc/grpc-js";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { CANCEL_PATH, onEngineCancel } from "../../provider/dynamic/engine-cancel";
import { type RunningPlugin, startServer } from "../../provider/plugin/server";
import { pulumiGrpc } from "../../provider/process/pulumi-grpc";
import { LocalTenantLock } from "../../provider/tenant/local-lock";
import { type Simulator, startSimulator } from "../../sim";
import { TEST_TOKEN } from "../helpers/secrets";

const grpc = pulumiGrpc();
const URN = "urn:pulumi:test::project::koodrive:index:CapacityGuard::seats";

/** Sends one HTTP/2 request to `path` on a server of this process, as the engine's gRPC client would. */
async function requestPath(path: string): Promise<void> {
  const server = http2.createServer((_request, response) => response.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    await new Promise<void>((resolve, reject) => {
      const stream = session.request({ ":path": path, ":method": "POST" });
      stream.on("response", () => undefined);
      stream.on("end", resolve);
      stream.on("error", reject);
      stream.resume();
      stream.end();
    });
  } finally {
    session.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("the engine's Cancel, wired to the provider's reads and waits", () => {
  it("the dynamic provider's adapter hears the host's Cancel call, and only it, once", async () => {
    let heard = 0;
    const stop = onEngineCancel(() => heard++);
    try {
      await requestPath("/pulumirpc.ResourceProvider/Check");
      assert.equal(heard, 0, "another call is not a cancel");
      await requestPath(CANCEL_PATH);
      assert.equal(heard, 1);
      await requestPath(CANCEL_PATH);
      assert.equal(heard, 1, "it stops watching after the first");
    } finally {
      stop();
    }
  });

  describe("the plugin's Cancel, over gRPC", () => {
    let sim: Simulator;
    let plugin: RunningPlugin;
    let client: providerRpc.ResourceProviderClient;
    const other = new LocalTenantLock();

    beforeEach(async () => {
      sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
      plugin = await startServer([]);
      const Client = providerRpc.ResourceProviderClient as unknown as new (
        address: string,
        credentials: Grpc.ChannelCredentials,
      ) => providerRpc.ResourceProviderClient;
      client = new Client(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
    });
    afterEach(async () => {
      client.close();
      plugin.server.forceShutdown();
      await plugin.provider.state.close();
      await other.close();
      await sim.close();
    });

    const call = <Req, Res>(method: (request: Req, callback: (error: Error | null, response: Res) => void) => void) =>
      promisified(method.bind(client));

    it("stops a guard's wait for the tenant at once, naming the holder, and no user is judged", async () => {
      const settings = { endpoint: sim.url, accessToken: TEST_TOKEN };
      await call(client.configure)(
        new providerProto.ConfigureRequest().setArgs(Struct.fromJavaScript(settings)).setAcceptsecrets(false),
      );
      const tenant = await plugin.provider.state.tenantOf({});
      assert.ok(tenant, "the configured settings name a tenant");
      const holder = {
        stack: "dept-a/prod",
        host: "ci-7",
        pid: 4242,
        since: "2026-12-02T10:42:07.000Z",
        deployment: "another-deployment",
      };
      assert.equal(await other.tryAcquire(tenant.key, holder), true, "the test holds the tenant");

      const create = call<providerProto.CreateRequest, providerProto.CreateResponse>(client.create)(
        new providerProto.CreateRequest().setUrn(URN).setProperties(Struct.fromJavaScript({ plannedUsers: 1 })),
      ).then(
        () => "created",
        (error: Error) => error.message,
      );
      // The create waits: still pending well after a poll of the lock.
      const early = await Promise.race([create, new Promise((resolve) => setTimeout(() => resolve("waiting"), 1_500))]);
      assert.equal(early, "waiting");

      const cancelledAt = Date.now();
      await call<Empty, Empty>(client.cancel)(new Empty());
      const outcome = await create;
      assert.ok(Date.now() - cancelledAt < 1_000, `the wait ended ${Date.now() - cancelledAt} ms after Cancel`);
      assert.match(
        outcome,
        /cancelled while waiting for the KooDrive tenant http:\/\/127\.0\.0\.1:\d+ held by stack dept-a\/prod on ci-7 \(pid 4242, deploying since 10:42:07 UTC\)/,
      );
      assert.doesNotMatch(outcome, /exceeds capacity/);
      assert.equal(sim.requestCount("quotaUsed"), 0, "nothing was read for a guard that never got the tenant");
    });
  });
});

/** A gRPC client method as a promise. */
function promisified<Req, Res>(
  method: (request: Req, callback: (error: Error | null, response: Res) => void) => void,
): (request: Req) => Promise<Res> {
  return (request) =>
    new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(error) : resolve(response))));
}
