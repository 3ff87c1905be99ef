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

describe("the packed package's types", function () {
  this.timeout(600_000);

  it("type-check in a program with Pulumi's default template tsconfig", async () => {
    const root = await programWorkspaceRoot();
    const dir = mkdtempSync(path.join(root, "consumer-types-"));
    try {
      writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(PULUMI_TEMPLATE_TSCONFIG, null, 2));
      writeFileSync(path.join(dir, "index.ts"), CONSUMER_PROGRAM);
      const tsc = path.join(root, "node_modules/typescript/bin/tsc");
      const result = await run(process.execPath, [tsc, "--noEmit", "-p", dir], { cwd: dir }).catch(
        (error: { stdout?: string; code?: number }) => error,
      );
      assert.equal("code" in result ? result.code : 0, 0, `tsc --noEmit failed:\n${result.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
