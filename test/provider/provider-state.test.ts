import assert from "node:assert/strict";
import net from "node:net";
import { ProviderState } from "../../provider/process/provider-state";
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

  it("asks its entry point, through exit, to end the process when the engine of a held tenant is gone; it never ends the process itself", async () => {
    const address = await goneEngine();
    let gone!: () => void;
    const told = new Promise<void>((resolve) => {
      gone = resolve;
    });
    const watched = new ProviderState(address, { exit: () => gone() });
    // Without the callback (the policy pack's, a test's), nothing is watched: this process goes on.
    const unwatched = new ProviderState(address);
    const settings = { endpoint: "https://koodrive.example", accessToken: TEST_TOKEN };
    try {
      watched.configure(settings);
      unwatched.configure(settings);
      const tenant = watched.tenantOf({});
      assert.ok(tenant);
      await watched.holdTenant({}, tenant, URN, () => undefined);
      await unwatched.holdTenant({}, { ...tenant, key: "f".repeat(64) }, URN, () => undefined);
      const started = Date.now();
      await told;
      assert.ok(Date.now() - started < 5_000, "found gone within one 2 s watch");
    } finally {
      await Promise.all([watched.close(), unwatched.close()]);
    }
  });
});
