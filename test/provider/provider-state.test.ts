import assert from "node:assert/strict";
import net from "node:net";
import { resolveSettings } from "../../provider/config/settings";
import { credentialIdentity } from "../../provider/config/tenant";
import { PREVIEW_ASK_MS, ProviderState } from "../../provider/process/provider-state";
import { startSimulator } from "../../sim";
import { TEST_TOKEN } from "../helpers/secrets";

const URN = "urn:pulumi:test::project::koodrive:index:CapacityGuard::seats";

/** An address on loopback where nothing listens any more: an engine that is gone. */
async function goneEngine(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

describe("the provider process's state and its engine", function () {
  this.timeout(20_000);

  it("asks its entry point, through exit, to end the process when its engine is gone, holding a tenant or not; it never ends the process itself", async () => {
    const address = await goneEngine();
    const told = (state: "holding" | "idle") => {
      let gone!: () => void;
      const said = new Promise<void>((resolve) => {
        gone = resolve;
      });
      return { said, exit: () => gone(), state };
    };
    const [holding, idle] = [told("holding"), told("idle")];
    const watched = new ProviderState(address, { exit: holding.exit });
    const idleWatched = new ProviderState(address, { exit: idle.exit });
    // Without the callback (the policy pack's, a test's), nothing is watched: this process goes on.
    const unwatched = new ProviderState(address);
    const settings = { endpoint: "https://koodrive.example", accessToken: TEST_TOKEN };
    try {
      watched.configure(settings);
      unwatched.configure(settings);
      // Nothing answers at that endpoint: the credential's identity is the tenant.
      const tenant = credentialIdentity(resolveSettings({ ...settings, env: {} }));
      const started = Date.now();
      await watched.holdTenant({}, tenant, URN, () => undefined);
      await unwatched.holdTenant(
        {},
        { ...tenant, key: "f".repeat(64), lockKeys: ["f".repeat(64)] },
        URN,
        () => undefined,
      );
      await Promise.all([holding.said, idle.said]);
      assert.ok(Date.now() - started < 5_000, "found gone within one 2 s watch");
    } finally {
      await Promise.all([watched.close(), idleWatched.close(), unwatched.close()]);
    }
  });

  it("asks a silent lock server once per run in preview, for at most 2 s, and says so once", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    const state = new ProviderState();
    try {
      state.configure({
        endpoint: "https://koodrive.example",
        accessToken: TEST_TOKEN,
        lockUrl: `postgres://koodrive:silent-Pa55word@127.0.0.1:${port}/locks`,
      });
      const tenant = credentialIdentity(
        resolveSettings({ endpoint: "https://koodrive.example", accessToken: TEST_TOKEN, env: {} }),
      );
      const started = Date.now();
      // Three guards of the tenant, as a preview checks them.
      const notes = [];
      for (let guard = 0; guard < 3; guard++) notes.push(await state.otherDeployment({}, tenant));
      const took = Date.now() - started;
      assert.ok(took < PREVIEW_ASK_MS + 1_000, `three guards took ${took} ms`);
      assert.equal(notes[0]?.severity, "warning");
      assert.match(
        notes[0]?.message ?? "",
        /^could not tell whether another deployment is changing the KooDrive tenant https:\/\/koodrive\.example: the lock server \(koodrive:lockUrl\) did not answer within 2 s; these figures may miss its changes/,
      );
      assert.doesNotMatch(notes[0]?.message ?? "", /silent-Pa55word/);
      assert.deepEqual(notes.slice(1), [undefined, undefined], "said once, asked once");
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      await state.close();
    }
  });

  it("keeps the figures read under the tenant by its first create when another create that waited with it gets the tenant later", async () => {
    const sim = await startSimulator({
      fixture: { tokens: [TEST_TOKEN], usage: { userCount: 20, userMaxCount: 100 } },
    });
    // Two deployments: one holds the tenant, the other's two creates wait for it, half a poll apart.
    const [holder, waiter] = [new ProviderState("127.0.0.1:1"), new ProviderState("127.0.0.1:2")];
    try {
      for (const state of [holder, waiter]) state.configure({ endpoint: sim.url, accessToken: TEST_TOKEN });
      const { tenant } = await waiter.readUsage({});
      await holder.holdTenant({}, tenant, URN, () => undefined);
      const creates = [waiter.holdTenant({}, tenant, URN, () => undefined)];
      await new Promise((resolve) => setTimeout(resolve, 250));
      creates.push(waiter.holdTenant({}, tenant, URN, () => undefined));
      await holder.close();

      await Promise.race(creates);
      const underLock = (await waiter.readUsage({})).usage.remainingSeats;
      sim.setUsage({ userCount: sim.usage().userCount + 1 }); // the first create's add
      await Promise.all(creates);
      assert.equal((await waiter.readUsage({})).usage.remainingSeats, underLock, "read once under the lock, not again");
    } finally {
      await Promise.all([holder.close(), waiter.close()]);
      await sim.close();
    }
  });
});
