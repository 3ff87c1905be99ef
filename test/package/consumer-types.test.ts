import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { programWorkspaceRoot } from "../../harness/program-stack";

const run = promisify(execFile);

/** The tsconfig.json of Pulumi's `typescript` project template, unchanged. */
const PULUMI_TEMPLATE_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

const CONSUMER_PROGRAM = `import * as koodrive from "pulumi-koodrive";

const usage = koodrive.getServiceUsageOutput({});
const guard = new koodrive.CapacityGuard("seats", { plannedUsers: 3, minFreeSeats: 1 });
const seats: koodrive.QuotaUsedData["userMaxCount"] = 100;

export const freeSeats = usage.remainingSeats;
export const status = guard.status;
export const subscribed = seats;
`;

/**
 * A policy pack in TypeScript, as examples/policy-pack's index.js is in JavaScript. `@pulumi/policy` 1.21.0's own
 * types do not compile without `skipLibCheck` (its index.d.ts re-exports two names its proxy.d.ts does not declare),
 * so a TypeScript pack needs `skipLibCheck` whatever it imports; the template's other options stay, `moduleResolution:
 * node` among them, under which TypeScript ignores `exports` (the package maps `pulumi-koodrive/policy` for it in
 * `typesVersions`).
 */
const CONSUMER_POLICY_PACK = `import { PolicyPack } from "@pulumi/policy";
import { koodrivePolicies, POLICY_NAMES } from "pulumi-koodrive/policy";

const policies = koodrivePolicies();
const names: string[] = [POLICY_NAMES.guardRequired, POLICY_NAMES.orgMinimums, POLICY_NAMES.plansFit];

new PolicyPack("koodrive", { policies: policies.filter((policy) => names.includes(policy.name)) });
`;

describe("the packed package's types", function () {
  this.timeout(600_000);

  it("type-check in a program with Pulumi's default template tsconfig", () =>
    typeCheck(CONSUMER_PROGRAM, PULUMI_TEMPLATE_TSCONFIG));

  it("type-check in a policy pack importing pulumi-koodrive/policy, with skipLibCheck added for @pulumi/policy", () =>
    typeCheck(CONSUMER_POLICY_PACK, {
      ...PULUMI_TEMPLATE_TSCONFIG,
      compilerOptions: { ...PULUMI_TEMPLATE_TSCONFIG.compilerOptions, skipLibCheck: true },
    }));

  async function typeCheck(source: string, tsconfig: object): Promise<void> {
    const root = await programWorkspaceRoot();
    const dir = mkdtempSync(path.join(root, "consumer-types-"));
    try {
      writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
      writeFileSync(path.join(dir, "index.ts"), source);
      const tsc = path.join(root, "node_modules/typescript/bin/tsc");
      const result = await run(process.execPath, [tsc, "--noEmit", "-p", dir], { cwd: dir }).catch(
        (error: { stdout?: string; code?: number }) => error,
      );
      assert.equal("code" in result ? result.code : 0, 0, `tsc --noEmit failed:\n${result.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
