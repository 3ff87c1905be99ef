import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const RUNTIME = path.join(__dirname, "../../provider/dynamic/runtime.js");

/** Files under `folder`, at any depth. */
const filesUnder = (folder: string): string[] =>
  existsSync(folder)
    ? readdirSync(folder, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
    : [];

describe("the provider process's compile cache", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "koodrive-compile-cache-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Loads the runtime in a fresh Node process with `env` added, and lets it write its cache. */
  async function loadRuntime(env: Record<string, string>): Promise<void> {
    const script = `require(${JSON.stringify(RUNTIME)}); setTimeout(() => process.kill(process.pid, "SIGKILL"), 500);`;
    const plain = { ...process.env };
    delete plain.NODE_COMPILE_CACHE;
    delete plain.NODE_DISABLE_COMPILE_CACHE;
    await run(process.execPath, ["-e", script], { env: { ...plain, ...env } }).catch((error: { signal?: string }) => {
      if (error.signal !== "SIGKILL") throw error; // killed, as the engine kills its provider processes
    });
  }

  it("is written to the project's folder in the user's cache, even when the process is killed", async () => {
    await loadRuntime({ XDG_CACHE_HOME: root });
    assert.ok(filesUnder(path.join(root, "pulumi-koodrive/node-compile-cache")).length > 0, "no cache written");
  });

  it("goes where NODE_COMPILE_CACHE says, and nowhere when NODE_DISABLE_COMPILE_CACHE=1", async () => {
    const named = path.join(root, "named");
    await loadRuntime({ XDG_CACHE_HOME: root, NODE_COMPILE_CACHE: named });
    assert.ok(filesUnder(named).length > 0, "no cache in the named folder");
    assert.deepEqual(filesUnder(path.join(root, "pulumi-koodrive")), []);

    rmSync(named, { recursive: true });
    await loadRuntime({ XDG_CACHE_HOME: root, NODE_DISABLE_COMPILE_CACHE: "1" });
    assert.deepEqual(readdirSync(root), []);
  });
});
