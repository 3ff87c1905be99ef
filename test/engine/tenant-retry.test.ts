import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createProgramStack, type ProgramSpec, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { Gate } from "../helpers/gate";
import { outcome } from "../helpers/outcome";
import { ADD_USER_SCRIPT } from "../helpers/programs";

const TOKEN = "engine-test-token-tenant-retry-81e4";

type GuardKind = "typescript" | "plugin";
type Run = { ok: boolean; text: string };

/** A guard of `planned` users, the TypeScript one or the provider plugin's (by its schema token, as YAML, Python and Go reach it). */
function guardSource(kind: GuardKind, name: string, planned: number, options = "{}"): string {
  return kind === "typescript"
    ? `new (require("pulumi-koodrive").CapacityGuard)(${JSON.stringify(name)}, { plannedUsers: ${planned} }, ${options})`
    : `new pulumi.CustomResource("koodrive:index:CapacityGuard", ${JSON.stringify(name)}, { plannedUsers: ${planned}, status: undefined }, ${options})`;
}

/** Commands adding `users` through the API, each after `after` (a JavaScript expression), into the tenant at `endpoint` (default: the stack's). */
function addUsers(users: string[], after: string, endpoint?: string): string {
  const environment = endpoint ? `, environment: { KOODRIVE_ENDPOINT: ${JSON.stringify(endpoint)} }` : "";
  return `${JSON.stringify(users)}.map((user) => new command.local.Command("add-" + user, { create: "node add-user.js " + user${environment} }, { dependsOn: [${after}] }))`;
}

/**
 * A deployment that fails half-way, then is retried: a guard of 50 users, 10 users added, a step
 * that fails until the file `ready` exists in the program's folder, then a Command that waits at
 * `gate` and the other 40 users. The first `up` adds 10 and fails; the retry (the guard unchanged)
 * stops at the gate, then adds 40.
 */
function partlyFailing(kind: GuardKind, gate: Gate): Record<string, string> {
  const source = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const guard = ${guardSource(kind, "onboarding", 50)};
const first = ${addUsers(
    Array.from({ length: 10 }, (_, n) => `retry-${n}`),
    "guard",
  )};
const step = new command.local.Command("step", { create: "test -f ready || exit 3" }, { dependsOn: first });
const gate = new command.local.Command("gate", { create: ${JSON.stringify(gate.command)} }, { dependsOn: [step] });
${addUsers(
  Array.from({ length: 40 }, (_, n) => `retry-${10 + n}`),
  "gate",
)};
`;
  return { "index.js": source, "add-user.js": ADD_USER_SCRIPT };
}

/** Another stack's onboarding: a guard of `count` users, then (with `gate`, once the test opens it) the users. */
function onboarding(kind: GuardKind, name: string, count: number, gate?: Gate): Record<string, string> {
  const source = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const guard = ${guardSource(kind, "onboarding", count)};
const before = ${gate ? `new command.local.Command("gate", { create: ${JSON.stringify(gate.command)} }, { dependsOn: [guard] })` : "guard"};
${addUsers(
  Array.from({ length: count }, (_, n) => `${name}-${n}`),
  "before",
)};
`;
  return { "index.js": source, "add-user.js": ADD_USER_SCRIPT };
}

/** The refused user creations in a simulator's log. */
function refusedUsers(sim: Simulator): unknown[] {
  return sim.requestLog().filter((entry) => entry.path.endsWith("/users") && entry.status >= 400);
}

/** Resolves when the run's output first matches `pattern`; rejects when the run ends before it does. */
function said(pattern: RegExp): { onOutput: (text: string) => void; seen: (run: Promise<Run>) => Promise<void> } {
  let text = "";
  let seen: () => void = () => undefined;
  const matched = new Promise<void>((resolve) => {
    seen = resolve;
  });
  return {
    onOutput: (chunk) => {
      text += chunk;
      if (pattern.test(text)) seen();
    },
    seen: (run) =>
      Promise.race([
        matched,
        run.then((ended) => {
          throw new Error(`the run ended before saying ${pattern}: ${ended.text}`);
        }),
      ]),
  };
}

/** Resolves once `gate` is reached; rejects when `run` ends first. */
function reached(gate: Gate, run: Promise<Run>, who: string): Promise<void> {
  return Promise.race([
    gate.reached(),
    run.then((ended) => {
      throw new Error(`${who} ended before its gate: ${ended.text}`);
    }),
  ]);
}

describe("every `up` that can add takes the tenant, under the real engine: retries, opposite order", function () {
  this.timeout(1_200_000);
  const sims: Simulator[] = [];
  const made: ProgramStack[] = [];
  const gates: Gate[] = [];

  afterEach(async () => {
    for (const gate of gates.splice(0)) gate.remove();
    for (const test of made.splice(0)) await test.remove();
    for (const sim of sims.splice(0)) await sim.close();
  });

  /** A tenant with 20 of 100 seats used: 80 left. */
  const tenant = async () => {
    const sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
    sims.push(sim);
    return sim;
  };
  const gate = () => {
    const made = new Gate();
    gates.push(made);
    return made;
  };
  /** A stack on `sim` whose guards wait up to 300 s for the tenant: a test that would wait longer fails. */
  const stack = async (sim: Simulator, name: string, spec: ProgramSpec) => {
    const test = await createProgramStack(name, {
      ...spec,
      config: {
        "koodrive:endpoint": { value: sim.url },
        "koodrive:accessToken": { value: TOKEN, secret: true },
        "koodrive:lockTimeout": { value: "300" },
        ...spec.config,
      },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN, ...spec.env },
    });
    made.push(test);
    return test;
  };

  for (const kind of ["typescript", "plugin"] as const) {
    it(`serializes the retry of a partly failed \`up\` (${kind} guard, unchanged) with another stack's \`up\`, and the stack then passes --expect-no-changes`, async () => {
      const sim = await tenant();
      const retryGate = gate();
      const retried = await stack(sim, `retried-${kind}`, {
        files: partlyFailing(kind, retryGate),
        pluginOnPath: kind === "plugin",
      });
      const first = await outcome(retried.stack.up());
      assert.equal(first.ok, false, first.text);
      assert.equal(sim.usage().userCount, 30, "the first run added 10 of its 50 users, then failed");

      // The retry: its guard is unchanged (no create, no update), yet it takes the tenant before the gate.
      writeFileSync(path.join(retried.dir, "ready"), "");
      const retry = outcome(retried.stack.up());
      await reached(retryGate, retry, "the retry");
      const other = await stack(sim, `other-${kind}`, {
        files: onboarding(kind, `other-${kind}`, 40),
        pluginOnPath: kind === "plugin",
      });
      const waiting = said(/waiting for the KooDrive tenant http:\/\/127\.0\.0\.1:\d+: stack [\w-]+\/test on /);
      const otherRun = outcome(other.stack.up({ onOutput: waiting.onOutput }));
      await waiting.seen(otherRun);
      retryGate.open();

      const [retryDone, otherDone] = await Promise.all([retry, otherRun]);
      assert.ok(retryDone.ok, retryDone.text);
      assert.match(
        otherDone.text,
        new RegExp(`stack retried-${kind}/test on `),
        "the other stack waited for the retry",
      );
      // 20 + 10 + 40 = 70 used: the other stack's 40 no longer fit, and it adds none.
      assert.equal(otherDone.ok, false, otherDone.text);
      assert.match(
        otherDone.text,
        /the plan exceeds capacity(: |\n\s+- property plannedUsers has a problem: )seats: plan needs 40 new users, 30 seats left; exceeds by 10 seats/,
      );
      assert.equal(sim.usage().userCount, 70);
      assert.deepEqual(refusedUsers(sim), [], "no user creation was refused");

      // Unchanged, the stack passes --expect-no-changes: a preview while another stack holds the
      // tenant does not wait for it, and an `up` holds it without showing a change.
      const holderGate = gate();
      const holder = await stack(sim, `holder-${kind}`, {
        files: onboarding(kind, `holder-${kind}`, 10, holderGate),
        pluginOnPath: kind === "plugin",
      });
      const holding = outcome(holder.stack.up());
      await reached(holderGate, holding, "the holder");
      const preview = await outcome(retried.cli(["preview", "--expect-no-changes", "--stack", "test"]));
      assert.ok(preview.ok, preview.text);
      assert.match(preview.text, new RegExp(`stack holder-${kind}/test on .* has been deploying to this tenant`));
      holderGate.open();
      const held = await holding;
      assert.ok(held.ok, held.text);
      const unchanged = await outcome(retried.cli(["up", "--yes", "--expect-no-changes", "--stack", "test"]));
      assert.ok(unchanged.ok, unchanged.text);
      assert.equal(sim.usage().userCount, 80);
      assert.deepEqual(refusedUsers(sim), [], "no user creation was refused");
    });
  }

  for (const kind of ["typescript", "plugin"] as const) {
    it(`fails the younger of two stacks taking two tenants in opposite order at once, and the older one goes on (${kind} guards)`, async () => {
      const [east, west] = [await tenant(), await tenant()];
      const names = new Map([
        [east, "east"],
        [west, "west"],
      ]);
      /**
       * A guard of 5 users on `sim`'s tenant: the TypeScript one with its connection as arguments, or
       * the plugin's on an explicit provider of that tenant (a process of its own for each tenant).
       */
      const guardOf = (sim: Simulator, after?: string) => {
        const name = JSON.stringify(`guard-${names.get(sim)}`);
        const dependsOn = after ? `dependsOn: [${after}]` : "";
        const connection = `endpoint: ${JSON.stringify(sim.url)}, accessToken: ${JSON.stringify(TOKEN)}`;
        return kind === "typescript"
          ? `new (require("pulumi-koodrive").CapacityGuard)(${name}, { plannedUsers: 5, ${connection} }, { ${dependsOn} })`
          : `new pulumi.CustomResource("koodrive:index:CapacityGuard", ${name}, { plannedUsers: 5, status: undefined }, { provider: new pulumi.ProviderResource("koodrive", ${JSON.stringify(names.get(sim))}, { ${connection}, lockTimeout: "300" }), ${dependsOn} })`;
      };
      /** Guards of both tenants, `one`'s first; the second waits behind `gate`; then 5 users in each tenant. */
      const program = ([one, two]: [Simulator, Simulator], gate: Gate) => {
        const source = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const one = ${guardOf(one)};
const gate = new command.local.Command("gate", { create: ${JSON.stringify(gate.command)} }, { dependsOn: [one] });
const two = ${guardOf(two, "gate")};
${addUsers(["e-1", "e-2", "e-3", "e-4", "e-5"], "one, two", east.url)};
${addUsers(["w-1", "w-2", "w-3", "w-4", "w-5"], "one, two", west.url)};
`;
        return { "index.js": source, "add-user.js": ADD_USER_SCRIPT };
      };
      const [olderGate, youngerGate] = [gate(), gate()];
      const spec = (order: [Simulator, Simulator], gated: Gate) => ({
        files: program(order, gated),
        pluginOnPath: kind === "plugin",
      });
      const older = await stack(east, `east-first-${kind}`, spec([east, west], olderGate));
      const younger = await stack(east, `west-first-${kind}`, spec([west, east], youngerGate));
      const label = (sim: Simulator) => sim.url.replace(/[.]/g, "\\.");

      const waitingWest = said(
        new RegExp(`waiting for the KooDrive tenant ${label(west)}: stack west-first-${kind}/test on `),
      );
      const olderRun = outcome(older.stack.up({ onOutput: waitingWest.onOutput }));
      await reached(olderGate, olderRun, "the older stack"); // it holds east
      const youngerRun = outcome(younger.stack.up());
      await reached(youngerGate, youngerRun, "the younger stack"); // it holds west
      // The older stack goes for west and waits: its holder is younger, and may give way.
      olderGate.open();
      await waitingWest.seen(olderRun);
      // The younger goes for east, held by the older: it gives way at once instead of waiting 300 s.
      youngerGate.open();
      const youngerDone = await youngerRun;
      assert.equal(youngerDone.ok, false, youngerDone.text);
      assert.match(
        youngerDone.text,
        new RegExp(
          `gave up at once on the KooDrive tenant ${label(east)}: stack east-first-${kind}/test on .* \\(pid \\d+\\) has been deploying to this tenant since \\d\\d:\\d\\d:\\d\\d UTC, longer than this deployment, which holds ${label(west)}`,
        ),
      );
      assert.doesNotMatch(youngerDone.text, /gave up waiting/);
      const olderDone = await olderRun;
      assert.ok(olderDone.ok, olderDone.text);
      for (const sim of [east, west]) {
        assert.equal(sim.usage().userCount, 25, "the older stack's 5 users, none of the younger's");
        assert.deepEqual(refusedUsers(sim), [], "no user creation was refused");
      }
    });
  }
});
