import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DEMO_APP, DEMO_TOKEN } from "../../sim";
import { call, PATHS, TOKEN_AUTH } from "./http";

const CLI = join(__dirname, "..", "..", "sim", "cli.js");

function launch(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], { stdio: "pipe" });
}

async function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, "line")) as [string];
  lines.close();
  return line;
}

/** Runs the CLI to completion. */
async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = launch(args);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe("koodrive-sim CLI", function () {
  this.timeout(20_000);
  let dir: string;
  const children: ChildProcessWithoutNullStreams[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "koodrive-sim-cli-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });

  const start = (args: string[]) => {
    const child = launch(args);
    children.push(child);
    return child;
  };

  it("prints 'listening on http://HOST:PORT' first with --port 0, serves, and exits 0 on SIGTERM", async () => {
    const child = start(["--port", "0"]);
    const line = await firstLine(child);
    const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
    assert.ok(match, line);
    assert.notEqual(Number(match[2]), 0);
    const answer = await call(match[1] ?? "", PATHS.quotaUsed, { headers: TOKEN_AUTH });
    assert.equal(answer.status, 200);
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    assert.deepEqual(await exited, [0, null]);
  });

  // The signal goes out the moment the line arrives, so a handler installed after printing loses the race.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`exits 0 on ${signal} sent as soon as the listening line appears (10 starts)`, async () => {
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const child = start([]);
        assert.match(await firstLine(child), /^listening on http:\/\/127\.0\.0\.1:\d+$/);
        const exited = once(child, "exit");
        child.kill(signal);
        assert.deepEqual(await exited, [0, null], `start ${attempt + 1}`);
      }
    });
  }

  it("serves a fixture given with --fixture", async () => {
    const file = join(dir, "ok.json");
    await writeFile(file, JSON.stringify({ usage: { userCount: 77 }, tokens: ["cli-token"] }));
    const child = start(["--port", "0", "--host", "127.0.0.1", "--fixture", file]);
    const url = (await firstLine(child)).replace("listening on ", "");
    const answer = await call(url, PATHS.userCount, { headers: { authorization: "cli-token" } });
    assert.deepEqual(answer.json, { code: 0, msg: "success", total: 77 });
    assert.equal((await call(url, PATHS.userCount, { headers: TOKEN_AUTH })).status, 401);
  });

  const badFlags: [string[], RegExp][] = [
    [["--bogus"], /--bogus/],
    [["--port"], /--port/],
    [["--port", "abc"], /--port/],
    [["--port", "70000"], /--port/],
    [["--port", "-1"], /--port/],
    [["stray"], /stray/],
  ];
  for (const [args, named] of badFlags) {
    it(`refuses ${args.join(" ")} with one line naming the flag and exit 2`, async () => {
      const { code, stdout, stderr } = await run(args);
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.match(stderr, named);
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
    });
  }

  it("refuses a malformed fixture with exit 2, naming the file and the key, without a stack trace", async () => {
    const file = join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ usage: { userMaxCount: -5 } }));
    const { code, stdout, stderr } = await run(["--port", "0", "--fixture", file]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.ok(stderr.includes(file), stderr);
    assert.match(stderr, /usage\.userMaxCount/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it("refuses a fixture that is not JSON with exit 2", async () => {
    const file = join(dir, "not-json.json");
    await writeFile(file, "usage: 1");
    const { code, stderr } = await run(["--fixture", file]);
    assert.equal(code, 2);
    assert.ok(stderr.includes(file), stderr);
  });

  it("documents flags, fixture format, demo credentials and control paths in --help", async () => {
    const { code, stdout } = await run(["--help"]);
    assert.equal(code, 0);
    for (const text of [
      "--host",
      "--port",
      "--fixture",
      '"usage"',
      '"tokens"',
      '"apps"',
      DEMO_TOKEN,
      DEMO_APP.appId,
      DEMO_APP.appSecret,
      "/__sim/requests",
      "/__sim/reset",
      "/__sim/usage",
      "/__sim/faults",
      "/__sim/stored",
      "/__sim/users",
      "/__sim/spaces",
      "/koodrive/ose/v1/users/{userId}",
      "/koodrive/ose/v2/space/{ownerId}",
      "/koodrive/ose/v1/space/container/{id}",
      "updateSpace",
    ]) {
      assert.ok(stdout.includes(text), `--help lacks ${text}`);
    }
  });

  it("starts with a shebang so it can be a package bin", async () => {
    const { readFile } = await import("node:fs/promises");
    assert.match(await readFile(CLI, "utf8"), /^#!\/usr\/bin\/env node\n/);
  });
});
