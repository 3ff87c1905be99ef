import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type HostileProxy, PROXIED_ENDPOINT, startHostileProxy } from "../helpers/hostile-proxies";
import { refusedUrl } from "../helpers/loopback-server";
import { commandLine, processesIn } from "../helpers/processes";
import { GUARDED_ONBOARDING_JS } from "../helpers/programs";

const TOKEN = "hostile-network-token-7c2d90";
/** A stack trace line, as Node prints one. */
const STACK_LINE = /\n\s+at .+:\d+:\d+\)?\n/;

/**
 * The proxy variables of the engine (and so of the provider process): every request to the endpoint
 * goes through `proxy`. NO_PROXY names loopback as a proxied user's does: the program's own gRPC
 * client (grpc-js) honours these variables too, and would send its calls to the engine through the proxy.
 */
function proxyEnvironment(proxy: string): Record<string, string> {
  const noProxy = "localhost,127.0.0.1,::1";
  return {
    HTTPS_PROXY: proxy,
    HTTP_PROXY: proxy,
    NO_PROXY: noProxy,
    https_proxy: proxy,
    http_proxy: proxy,
    no_proxy: noProxy,
  };
}

/** A stack whose only resource is a mandatory guard on an endpoint that only a proxy would carry. */
function proxiedGuardStack(name: string): Promise<ProgramStack> {
  return createProgramStack(name, {
    files: { "index.js": GUARDED_ONBOARDING_JS },
    config: {
      "koodrive:endpoint": { value: PROXIED_ENDPOINT },
      "koodrive:accessToken": { value: TOKEN, secret: true },
      users: { value: "[]" },
      guardOnly: { value: "true" },
    },
  });
}

/** Sets the engine's environment for the stack's next runs. */
function setEnvironment(test: ProgramStack, env: Record<string, string>): void {
  Object.assign((test.stack.workspace as LocalWorkspace).envVars, env);
}

/** Polls `condition` every 100 ms until it holds or `capMs` passes; returns whether it held. */
async function eventually(condition: () => boolean, capMs: number): Promise<boolean> {
  for (const end = Date.now() + capMs; Date.now() < end; await sleep(100)) if (condition()) return true;
  return condition();
}

describe("the guard under the real engine behind hostile proxies", function () {
  this.timeout(900_000);
  let test: ProgramStack | undefined;
  const proxies: HostileProxy[] = [];

  afterEach(async () => {
    await test?.remove();
    for (const proxy of proxies.splice(0)) await proxy.close();
  });

  it("fails a preview within the deadline naming the proxy, with one connection per attempt, behind each hostile proxy", async () => {
    test = await proxiedGuardStack("hostile-proxies");
    // Short limits keep the silent proxy's case short: 2 s per attempt, 8 s per call.
    setEnvironment(test, { KOODRIVE_TIMEOUT_MS: "2000", KOODRIVE_DEADLINE_MS: "8000" });
    const behaviours = ["drop", "silent", "407"] as const;
    const cases: { name: string; url: string; proxy?: HostileProxy; expected: RegExp }[] = [];
    for (const behaviour of behaviours) {
      const proxy = await startHostileProxy(behaviour);
      proxies.push(proxy);
      const expected = {
        drop: new RegExp(`the proxy ${proxy.url} closed the connection without opening a tunnel`),
        silent: new RegExp(`did not answer in time: .*through the proxy ${proxy.url}`),
        "407": new RegExp(`the proxy ${proxy.url} demands authentication \\(HTTP 407\\)`),
      }[behaviour];
      cases.push({ name: behaviour, url: proxy.url, proxy, expected });
    }
    const refused = await refusedUrl();
    cases.push({ name: "refused", url: refused, expected: new RegExp(`the proxy ${refused} refused the connection`) });

    for (const { name, url, proxy, expected } of cases) {
      setEnvironment(test, proxyEnvironment(url));
      const error = await test.stack.preview().then(
        () => assert.fail(`the preview behind the ${name} proxy passed`),
        (reason: unknown) => reason as Error,
      );
      const output = error.message;
      assert.match(output, /cannot read KooDrive usage, so the plan cannot be checked/, `${name}: ${output}`);
      assert.match(output, expected, `${name}: ${output}`);
      assert.doesNotMatch(output, STACK_LINE, `${name}: a stack trace was printed`);
      assert.ok(!output.includes(TOKEN), `${name}: the token was printed`);
      if (proxy) {
        const connections = proxy.connections();
        assert.ok(connections >= 1, `${name}: the request never reached the proxy`);
        // Two calls side by side, the figures and the subscription (who the tenant is), of 3 attempts each.
        assert.ok(connections <= 6, `${name}: ${connections} proxy connections for two calls of 3 attempts`);
      }
    }
  });

  it("ends a preview cancelled with SIGINT behind a silent proxy: CLI, hosts and provider exit, the proxy's connections close", async () => {
    const proxy = await startHostileProxy("silent");
    proxies.push(proxy);
    test = await proxiedGuardStack("cancelled-preview");
    // A deadline far beyond the wait below: only the cancel can end this preview in time.
    setEnvironment(test, {
      ...proxyEnvironment(proxy.url),
      KOODRIVE_TIMEOUT_MS: "600000",
      KOODRIVE_DEADLINE_MS: "600000",
    });
    const abort = new AbortController(); // the Automation API sends the CLI SIGINT on abort
    const preview = test.stack.preview({ signal: abort.signal }).then(
      () => "passed",
      (error: unknown) => String((error as Error).message),
    );
    assert.ok(await eventually(() => proxy.openConnections() > 0, 120_000), "the provider never reached the proxy");
    const tree = processesIn(test.dir);
    const commands = tree.map(commandLine);
    assert.ok(
      commands.some((command) => command.includes("dynamic-provider")),
      `the provider process is not among ${commands.join("; ")}`,
    );

    abort.abort();
    const outcome = await Promise.race([preview, sleep(120_000).then(() => "still running")]);
    assert.notEqual(outcome, "still running", "the cancelled preview did not end");
    assert.notEqual(outcome, "passed");
    assert.match(outcome, /the run was cancelled \(Ctrl-C or a cancelled job\), so KooDrive was not read/);
    assert.doesNotMatch(outcome, STACK_LINE, "a stack trace was printed");
    const alive = () => tree.filter((pid) => processesIn(test?.dir ?? "").includes(pid));
    assert.ok(await eventually(() => alive().length === 0, 30_000), `processes left running: ${alive().join(", ")}`);
    assert.ok(await eventually(() => proxy.openConnections() === 0, 30_000), "the proxy connection stayed open");
  });
});
