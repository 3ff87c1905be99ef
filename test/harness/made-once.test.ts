import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { madeOnce, OWNER_MARKER } from "../../harness/made-once";

const run = promisify(execFile);
/** A pid no process has: above Linux's pid_max limit. */
const GONE_PID = 4_194_400;

describe("work made once across processes (harness/made-once.ts)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "koodrive-made-once-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("makes it once for four processes asking at the same time, and each returns once it is made", async () => {
    const done = path.join(dir, "done");
    const log = path.join(dir, "log");
    const script = `
      const { appendFileSync } = require("node:fs");
      const { madeOnce } = require(${JSON.stringify(require.resolve("../../harness/made-once"))});
      madeOnce(${JSON.stringify(done)}, async () => {
        appendFileSync(${JSON.stringify(log)}, "made\\n");
        await new Promise((resolve) => setTimeout(resolve, 500));
      }).then(() => appendFileSync(${JSON.stringify(log)}, "returned\\n"));
    `;
    await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ["-e", script])));
    const lines = readFileSync(log, "utf8").trim().split("\n");
    assert.deepEqual(lines.sort(), ["made", "returned", "returned", "returned", "returned"]);
  });

  it("makes it again after a maker that failed, and takes over the lock of one that was killed", async () => {
    const done = path.join(dir, "done");
    const log = path.join(dir, "log");
    await assert.rejects(
      madeOnce(done, async () => {
        throw new Error("the build broke");
      }),
      /the build broke/,
    );
    mkdirSync(`${done}.lock`);
    writeFileSync(path.join(`${done}.lock`, OWNER_MARKER), String(GONE_PID));
    await madeOnce(done, async () => appendFileSync(log, "made\n"));
    await madeOnce(done, async () => appendFileSync(log, "made again\n"));
    assert.equal(readFileSync(log, "utf8"), "made\n");
  });
});
