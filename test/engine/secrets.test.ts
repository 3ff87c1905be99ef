import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { type LoopbackServer, startLoopbackServer } from "../helpers/loopback-server";
import { GUARDED_ONBOARDING_JS } from "../helpers/programs";
import { SECRET_ENCODINGS } from "../helpers/secrets";

const TOKEN = "secret-sweep-token-5a8e1c44d2";
const APP = { appId: "sweep-app", appSecret: "secret-sweep-app-secret-93b7f0", userId: "100000000000000042" };

/** The warning for a token set with `pulumi config set --plaintext`. */
const PLAINTEXT_WARNING =
  /warning: koodrive:accessToken is set in plain text in the stack config, so it is readable in the stack's config file and state; set it as a secret: pulumi config set --secret koodrive:accessToken <value>/;

/** Everything a run leaves behind that a person or a log collector could read, by where it is. */
async function sweep(test: ProgramStack, runOutput: string): Promise<Record<string, string>> {
  return {
    "engine output": runOutput,
    "stack export": await test.exportState(),
    "stack outputs": JSON.stringify(await test.stack.outputs()),
    "state files": test.readState(),
    "stack config file": readFileSync(path.join(test.dir, "Pulumi.test.yaml"), "utf8"),
  };
}

/** Asserts that none of `secrets` is in any of `places`, raw or in any encoding a server may echo it in. */
function assertNoSecretIn(places: Record<string, string>, secrets: string[]): void {
  for (const [where, text] of Object.entries(places)) {
    for (const secret of secrets) {
      for (const [encoding, encode] of Object.entries(SECRET_ENCODINGS)) {
        assert.ok(!text.includes(encode(secret)), `a secret is readable in the ${where} (${encoding})`);
      }
    }
  }
}

describe("secrets under the real engine", function () {
  this.timeout(600_000);
  let sim: Simulator;
  let test: ProgramStack;

  beforeEach(async () => {
    sim = await startSimulator({
      fixture: { tokens: [TOKEN], apps: [{ appId: APP.appId, appSecret: APP.appSecret }] },
    });
  });
  afterEach(async () => {
    await test.remove();
    await sim.close();
  });

  const modes = {
    "token (secret config)": { "koodrive:accessToken": { value: TOKEN, secret: true } },
    "app (secret config)": {
      "koodrive:appId": { value: APP.appId },
      "koodrive:appSecret": { value: APP.appSecret, secret: true },
      "koodrive:userId": { value: APP.userId },
    },
  };

  for (const [mode, credentials] of Object.entries(modes)) {
    it(`keeps the ${mode} out of state, exports, outputs and engine output`, async () => {
      test = await createProgramStack("secrets", {
        files: { "index.js": GUARDED_ONBOARDING_JS },
        config: { "koodrive:endpoint": { value: sim.url }, users: { value: "[]" }, ...credentials },
      });
      const preview = await test.stack.preview({ diff: true });
      const up = await test.stack.up({ diff: true });
      assert.equal(up.outputs.guardStatus?.value, "fits");
      assert.equal(sim.requestLog().at(-1)?.authMode, mode.startsWith("token") ? "token" : "app");
      assert.doesNotMatch([up.stdout, up.stderr].join("\n"), /plain (text|value)/, "a warning for a secret credential");
      const places = await sweep(test, [preview.stdout, preview.stderr, up.stdout, up.stderr].join("\n"));
      assert.match(places["stack export"] ?? "", /remainingSeats/, "the sweep read the stack");
      assertNoSecretIn(places, [TOKEN, APP.appSecret]);
      const shown = JSON.stringify(await test.stack.exportStack()); // --show-secrets: the positive control
      assert.ok(
        shown.includes(mode.startsWith("token") ? TOKEN : APP.appSecret),
        "the secret is in the state, encrypted",
      );
    });
  }

  it("warns of a token set in plain text config, which Pulumi records in clear", async () => {
    test = await createProgramStack("plaintext-config", {
      files: { "index.js": GUARDED_ONBOARDING_JS },
      config: {
        "koodrive:endpoint": { value: sim.url },
        users: { value: "[]" },
        "koodrive:accessToken": { value: TOKEN },
      },
    });
    const up = await test.stack.up();
    assert.equal(up.outputs.guardStatus?.value, "fits");
    assert.match(up.stdout, PLAINTEXT_WARNING);
    const places = await sweep(test, up.stdout);
    // Pulumi keeps plain config in clear in the config file and in the default provider's inputs;
    // the package itself must put it nowhere else: not in its resources, outputs or messages.
    assert.ok(places["stack config file"]?.includes(TOKEN), "the config file holds the token the user set");
    const resources = (JSON.parse(places["stack export"] ?? "{}").deployment?.resources ?? []) as {
      type: string;
      urn: string;
      inputs?: unknown;
    }[];
    const holding = resources.filter((resource) => JSON.stringify(resource).includes(TOKEN));
    assert.deepEqual(
      holding.map((resource) => resource.type),
      ["pulumi:providers:pulumi-nodejs"],
      "only the default provider's record holds the plain-text token",
    );
    assert.ok(JSON.stringify(holding[0]?.inputs).includes(TOKEN), "Pulumi records it among the provider's inputs");
    for (const where of ["engine output", "stack outputs"]) {
      assert.ok(!places[where]?.includes(TOKEN), `the token is readable in the ${where}`);
    }
  });

  it("keeps a token given as a resource argument encrypted", async () => {
    test = await createProgramStack("secret-args", {
      files: {
        "index.js": `
const koodrive = require("pulumi-koodrive");
const guard = new koodrive.CapacityGuard("by-argument", { endpoint: process.env.SIM_URL, accessToken: "${TOKEN}", plannedUsers: 1 });
exports.status = guard.status;
exports.seats = koodrive.getServiceUsageOutput({ endpoint: process.env.SIM_URL, accessToken: "${TOKEN}" }).remainingSeats;
`,
      },
      env: { SIM_URL: sim.url },
    });
    const up = await test.stack.up({ diff: true });
    assert.equal(up.outputs.status?.value, "fits");
    assert.equal(up.outputs.seats?.value, 80);
    const diagnostics = [up.stdout, up.stderr].join("\n"); // with --diff, the program's warnings go to stderr
    assert.match(diagnostics, /warning: the accessToken argument is a plain value, readable in the program's source/);
    assert.match(diagnostics, /pulumi config set --secret koodrive:accessToken/);
    assert.equal(
      diagnostics.match(/the accessToken argument is a plain value/g)?.length,
      1,
      "one warning, two resources",
    );
    assertNoSecretIn(await sweep(test, [up.stdout, up.stderr].join("\n")), [TOKEN]);
  });
});

// Secrets with characters that JSON, percent and base64 encodings change.
const ECHOED_TOKEN = "Echo/Tok3n+Secret==-5d1f";
const ECHOED_APP = { appId: "echo-app", appSecret: "Echo/App+Secret==-80e2", userId: "100000000000000042" };

/** An advisory guard (so that `up` records what it read), or with config `usageOnly` the data source alone. */
const ECHO_PROGRAM_JS = `
const pulumi = require("@pulumi/pulumi");
const koodrive = require("pulumi-koodrive");
if (new pulumi.Config().getBoolean("usageOnly")) {
  exports.seats = koodrive.getServiceUsageOutput().remainingSeats;
} else {
  const guard = new koodrive.CapacityGuard("echoed", { plannedUsers: 1, enforcement: "advisory" });
  exports.status = guard.status;
  exports.message = guard.message;
}
`;

describe("credentials a server echoes, under the real engine", function () {
  this.timeout(600_000);
  let server: LoopbackServer;
  let test: ProgramStack;

  /** The credential the server echoes: the one the run in progress sends. */
  let echoed = "";

  before(async () => {
    // A 400 (not retried) whose msg echoes the credential in every encoding.
    server = await startLoopbackServer((_request, response) => {
      const echoes = Object.values(SECRET_ENCODINGS).map((encode) => encode(echoed));
      response.writeHead(400, { "content-type": "application/json" });
      response.end(`{"code":"40100001","msg":"rejected ${echoes.join(" ")}"}`);
    });
  });
  after(() => server.close());
  afterEach(() => test.remove());

  const modes: Record<
    string,
    { secret: string; config: Record<string, { value: string; secret?: boolean }>; env?: Record<string, string> }
  > = {
    "token from the environment": { secret: ECHOED_TOKEN, config: {}, env: { KOODRIVE_ACCESS_TOKEN: ECHOED_TOKEN } },
    "token from secret config": {
      secret: ECHOED_TOKEN,
      config: { "koodrive:accessToken": { value: ECHOED_TOKEN, secret: true } },
    },
    "app from secret config": {
      secret: ECHOED_APP.appSecret,
      config: {
        "koodrive:appId": { value: ECHOED_APP.appId },
        "koodrive:appSecret": { value: ECHOED_APP.appSecret, secret: true },
        "koodrive:userId": { value: ECHOED_APP.userId },
      },
    },
  };

  for (const [mode, { secret, config, env }] of Object.entries(modes)) {
    it(`redacts the ${mode}, echoed in every encoding, from diagnostics, state and outputs`, async () => {
      echoed = secret;
      test = await createProgramStack("echoed-secrets", {
        files: { "index.js": ECHO_PROGRAM_JS },
        config: { "koodrive:endpoint": { value: server.url }, ...config },
        ...(env ? { env } : {}),
      });
      const up = await test.stack.up();
      assert.equal(up.outputs.status?.value, "unreadable");
      assert.match(String(up.outputs.message?.value), /KooDrive code 40100001: rejected( \[secret\]){6}/);
      assert.match(up.stdout, /warning: .*plan cannot be checked: .*rejected \[secret\]/, "the guard's warning");
      await test.stack.setConfig("usageOnly", { value: "true" });
      const failed = await test.stack.preview().then(
        () => assert.fail("the preview passed"),
        (error: unknown) => String((error as Error).message),
      );
      assert.match(failed, /cannot read KooDrive usage: .*rejected \[secret\]/, "the data source's diagnostic");
      const places = await sweep(test, [up.stdout, up.stderr, failed].join("\n"));
      assert.match(places["stack export"] ?? "", /rejected \[secret\]/, "the sweep read the recorded message");
      assertNoSecretIn(places, [secret]);
    });
  }
});
