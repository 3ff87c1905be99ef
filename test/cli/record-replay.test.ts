import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../../harness/engine";
import { deriveUsage } from "../../provider/capacity/usage";
import { DOCUMENTED_EXAMPLE, QUOTA_USED_PATH } from "../../provider/client/quota-used";
import type { RecordingFile } from "../../provider/client/recording";
import { SUBSCRIPTION_PATH } from "../../provider/client/subscription";
import { type Simulator, startSimulator } from "../../sim";
import { type LoopbackServer, startLoopbackServer } from "../helpers/loopback-server";
import { type CliRun, runCli } from "../helpers/run-cli";
import { assertNoSecretIn, SECRET_ENCODINGS, SECRET_PARTIAL_ECHOES, TEST_APP, TEST_TOKEN } from "../helpers/secrets";

const SIM_CLI = join(__dirname, "..", "..", "sim", "cli.js");
const EXAMPLE_JSON = JSON.parse(JSON.stringify(deriveUsage(DOCUMENTED_EXAMPLE, "KB")));
const TOKEN_ENV = (endpoint: string) => ({ KOODRIVE_ENDPOINT: endpoint, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN });
const APP_ENV = (endpoint: string) => ({
  KOODRIVE_ENDPOINT: endpoint,
  KOODRIVE_APP_ID: TEST_APP.appId,
  KOODRIVE_APP_SECRET: TEST_APP.appSecret,
  KOODRIVE_USER_ID: TEST_APP.userId,
});

/** The text of every file of a recording folder, one after the other. */
async function recordingText(dir: string): Promise<string> {
  const names = await readdir(dir);
  return (await Promise.all(names.map((name) => readFile(join(dir, name), "utf8")))).join("\n");
}

/** Asserts that `text` holds none of `secrets` in any encoding a server may echo one in, nor a part of it. */
function assertNoneOf(secrets: readonly string[], text: string): void {
  assertNoSecretIn(text, "the recording");
  for (const secret of secrets) {
    for (const [name, encode] of Object.entries({ ...SECRET_ENCODINGS, ...SECRET_PARTIAL_ECHOES })) {
      assert.ok(!text.includes(encode(secret)), `the recording holds a credential (${name}): ${encode(secret)}`);
    }
  }
}

describe("koodrive-usage --record and koodrive-sim --replay", function () {
  this.timeout(30_000);
  let dir: string;
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "koodrive-replay-"));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts `koodrive-sim ...args` (in `cwd` when given) and returns its URL, from the first line it prints. */
  async function startSim(args: readonly string[], cwd?: string): Promise<string> {
    const child = spawn(process.execPath, [SIM_CLI, ...args], { stdio: "pipe", ...(cwd === undefined ? {} : { cwd }) });
    children.push(child);
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, "line")) as [string];
    lines.close();
    const url = /^listening on (http:\/\/\S+)$/.exec(line)?.[1];
    assert.ok(url, `koodrive-sim printed "${line}"`);
    return url;
  }

  /** Runs `koodrive-sim ...args` to its end (a refusal). */
  async function runSim(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [SIM_CLI, ...args], { stdio: "pipe" });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const [code] = (await once(child, "exit")) as [number | null];
    return { code, stderr };
  }

  describe("against koodrive-sim", () => {
    let sim: Simulator;
    beforeEach(async () => {
      sim = await startSimulator({
        fixture: {
          tokens: [TEST_TOKEN],
          apps: [TEST_APP],
          usage: { userCount: 95 },
          subscription: { personalSpaceSize: 10, tenantId: "acme-0001" },
        },
      });
    });
    afterEach(() => sim.close());

    for (const [mode, env] of [
      ["token", TOKEN_ENV],
      ["app", APP_ENV],
    ] as const) {
      it(`records the figures and the subscription (${mode} auth), and the replay gives the same figures and verdict`, async () => {
        const args = ["--json", "--plan-users", "10", "--min-free-seats", "1"];
        const recorded = await runCli(["--record", dir, ...args], env(sim.url));
        assert.equal(recorded.code, 1, recorded.stderr);
        const recordedLine = /^recorded 2 answers in (.+): (.+)$/m.exec(recorded.stderr);
        assert.ok(recordedLine, recorded.stderr);
        assert.deepEqual((await readdir(dir)).sort(), [
          "GET-koodrive-ose-v1-service-quotaUsed.json",
          "GET-koodrive-ose-v1-service.json",
        ]);
        const service = JSON.parse(
          await readFile(join(dir, "GET-koodrive-ose-v1-service.json"), "utf8"),
        ) as RecordingFile;
        assert.equal(service.answer.request.line, `GET ${SUBSCRIPTION_PATH}`);
        assert.equal(service.answer.request.headers.authorization, "[secret]");
        assert.equal(service.answer.response.status, 200);
        const data = JSON.parse(service.answer.response.body).data;
        assert.deepEqual([data.tenantId, data.personalSpaceSize, data.status], ["acme-0001", 10, 0]);
        assertNoneOf([TEST_TOKEN, TEST_APP.appSecret], await recordingText(dir));

        const replay = await startSim(["--replay", dir]);
        // Any credential will do: the replay answers what was recorded.
        const replayed = await runCli(args, { KOODRIVE_ENDPOINT: replay, KOODRIVE_ACCESS_TOKEN: "anything" });
        assert.equal(replayed.code, recorded.code, replayed.stderr);
        assert.deepEqual(JSON.parse(replayed.stdout), JSON.parse(recorded.stdout));
        assert.equal(JSON.parse(replayed.stdout).userCount, 95);
        assert.equal(replayed.stderr, recorded.stderr.replace(recordedLine[0], "").trimEnd().concat("\n"));
        assert.match(replayed.stderr, /^seats: /m);
      });
    }

    it("records a subscription it could not read, with a warning, and still reports the figures", async () => {
      sim.queueFault("service", { kind: "status", status: 403, body: { code: 13000410, msg: "no permission" } });
      const run = await runCli(["--record", dir], TOKEN_ENV(sim.url));
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Seats +95 \/ 100 seats/m);
      assert.match(
        run.stderr,
        /^warning: the subscription could not be read \(authentication failed: HTTP 403, KooDrive code 13000410: no permission;.*\); its answer is recorded$/m,
      );
      const service = JSON.parse(
        await readFile(join(dir, "GET-koodrive-ose-v1-service.json"), "utf8"),
      ) as RecordingFile;
      assert.equal(service.answer.response.status, 403);
    });

    it("runs the commands docs/_index.md's 'Reporting a bug' prints: the run recorded, replayed, run again", async () => {
      const text = readFileSync(join(REPO_ROOT, "docs", "_index.md"), "utf8");
      const section = text.slice(text.indexOf("\n## Reporting a bug\n"));
      const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
      const [record, replay, again, ...more] = block
        .trim()
        .split("\n")
        .map((line) => line.replace(/\s+#.*$/, "").trim());
      assert.deepEqual(more, []);
      const argsOf = (line: string | undefined, command: string) => {
        const at = line?.indexOf(`npx ${command} `) ?? -1;
        assert.ok(line !== undefined && at !== -1, `${line} runs ${command}`);
        return line.slice(at + `npx ${command} `.length).split(/\s+/);
      };
      sim.setUsage({ userCount: 90 });
      const recorded = await runCli(argsOf(record, "koodrive-usage"), TOKEN_ENV(sim.url), dir);
      assert.equal(recorded.code, 1, recorded.stderr);
      assert.match(
        recorded.stderr,
        /^seats: plan needs 25 new users, 10 seats left; exceeds by 15 seats: buy 15 more seats, or raise the OrgID user maximum \(POST \/koodrive\/ose\/v1\/user\/expand\/\{orgId\}\)$/m,
      );
      assert.match(recorded.stderr, /^recorded 2 answers in koodrive-recording: /m);
      const url = await startSim(argsOf(replay, "koodrive-sim"), dir);
      const env = Object.fromEntries(
        (again ?? "")
          .slice(0, again?.indexOf("npx"))
          .trim()
          .split(/\s+/)
          .map((pair) => pair.split("=", 2) as [string, string]),
      );
      assert.deepEqual(Object.keys(env), ["KOODRIVE_ENDPOINT", "KOODRIVE_ACCESS_TOKEN"]);
      assert.equal(env.KOODRIVE_ENDPOINT, "http://127.0.0.1:<port>");
      const replayed = await runCli(argsOf(again, "koodrive-usage"), { ...env, KOODRIVE_ENDPOINT: url }, dir);
      assert.equal(replayed.code, 1, replayed.stderr);
      assert.equal(replayed.stdout, recorded.stdout.replace(sim.url, url));
      assert.match(
        replayed.stderr,
        /^seats: plan needs 25 new users, 10 seats left; exceeds by 15 seats: buy 15 more seats, or raise the OrgID user maximum \(POST \/koodrive\/ose\/v1\/user\/expand\/\{orgId\}\)$/m,
      );
    });

    it("refuses a --record folder it cannot make before sending anything (exit 2)", async () => {
      const file = join(dir, "a-file");
      await writeFile(file, "");
      const run = await runCli(["--record", join(file, "sub")], TOKEN_ENV(sim.url));
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /^koodrive-usage: --record .*a-file\/sub: cannot make the folder \(ENOTDIR\); name a folder you may write\n$/,
      );
      assert.equal(sim.requestCount(), 0);
    });
  });

  describe("against a service that echoes the credential it was sent", () => {
    let echo: LoopbackServer;
    beforeEach(async () => {
      echo = await startLoopbackServer((request, response) => {
        const sent = request.headers.authorization ?? "";
        const signature = /Signature=([0-9a-f]+)/.exec(sent)?.[1] ?? sent;
        const echoes = [sent, signature, Buffer.from(signature).toString("base64"), encodeURIComponent(sent)];
        const body =
          request.url === QUOTA_USED_PATH
            ? { code: 0, msg: `success for ${echoes.join(" ")}`, data: { ...DOCUMENTED_EXAMPLE, echo: echoes } }
            : { code: 13000102, msg: `cannot serve ${echoes.join(" ")}` };
        response.writeHead(request.url === QUOTA_USED_PATH ? 200 : 400, {
          "content-type": "application/json",
          "set-cookie": `session=${signature}`,
          "x-echo": Buffer.from(signature, "utf8").toString("hex"),
        });
        response.end(JSON.stringify(body));
      });
    });
    afterEach(() => echo.close());

    for (const [mode, env] of [
      ["token", TOKEN_ENV],
      ["app", APP_ENV],
    ] as const) {
      it(`keeps no token, app secret or request signature in the recording (${mode} auth)`, async () => {
        const run = await runCli(["--record", dir], env(echo.url));
        assert.equal(run.code, 0, run.stderr);
        const signatures = echo.requests.map(
          (request) => /Signature=([0-9a-f]+)/.exec(request.headers.authorization ?? "")?.[1] ?? "",
        );
        if (mode === "app")
          assert.ok(
            signatures.every((signature) => signature.length === 64),
            "signed requests",
          );
        const text = await recordingText(dir);
        assertNoneOf([TEST_TOKEN, TEST_APP.appSecret, ...signatures.filter(Boolean)], text);
        assert.match(text, /"set-cookie": "\[secret\]"/);
        assert.match(text, /success for [^"]*\[secret\]/, "the echo is kept, the credential in it redacted");
      });
    }
  });

  it("--help says what --record writes, that credentials are redacted, and how to replay it", async () => {
    const run = await runCli(["--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^ {2}--record DIR {13}also read the subscription .*\n(?: {27}.*\n)*/m);
    const text = /^ {2}--record DIR[\s\S]*?(?=\n {2}-)/m.exec(run.stdout)?.[0].replace(/\s+/g, " ") ?? "";
    assert.match(text, /one JSON file per request line/);
    assert.match(text, /every credential, signature and token redacted \("\[secret\]"\), even when the run fails/);
    assert.match(text, /koodrive-sim --replay DIR serves them again; attach DIR to a bug report/);
  });

  describe("the API reference's own answers", () => {
    const reference = (name: string) => join(REPO_ROOT, "test", "replays", name);

    for (const typed of ["integer", "string"]) {
      it(`reads quotaUsed with ${typed === "integer" ? "Integer" : "String"}-typed fields`, async () => {
        const replay = await startSim(["--replay", reference(`reference-${typed}`)]);
        const run = await runCli(["--json"], { KOODRIVE_ENDPOINT: replay, KOODRIVE_ACCESS_TOKEN: "anything" });
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, "");
        assert.deepEqual(JSON.parse(run.stdout), EXAMPLE_JSON);
      });
    }

    it("reports the error answer clearly: exit 3, its status, code and message, and the trace id", async () => {
      const replay = await startSim(["--replay", reference("reference-error")]);
      const run: CliRun = await runCli([], { KOODRIVE_ENDPOINT: replay, KOODRIVE_ACCESS_TOKEN: "anything" });
      assert.equal(run.code, 3);
      assert.equal(run.stdout, "");
      assert.match(
        run.stderr,
        /^koodrive-usage: KooDrive returned HTTP 400: KooDrive code 13000102: Verify parameters failed\. \(trace id [0-9a-f]{58}\)\n$/,
      );
    });
  });

  describe("koodrive-sim --replay", () => {
    it("answers 404 naming the recorded request lines for any other request", async () => {
      const replay = await startSim(["--replay", join(REPO_ROOT, "test", "replays", "reference-integer")]);
      const answer = await fetch(`${replay}/koodrive/ose/v1/users/count`);
      assert.equal(answer.status, 404);
      assert.deepEqual(await answer.json(), {
        code: 13000404,
        msg: `koodrive-sim --replay: no recorded answer to GET /koodrive/ose/v1/users/count in ${join(REPO_ROOT, "test", "replays", "reference-integer")}; it answers GET ${QUOTA_USED_PATH}`,
      });
    });

    it("refuses a folder without a recording, a file that is not one, and --fixture beside it (exit 2)", async () => {
      const empty = await runSim(["--replay", dir]);
      assert.equal(empty.code, 2);
      assert.match(
        empty.stderr,
        /^koodrive-sim: no recording in .+: it holds no \.json file \(koodrive-usage --record .+ makes them\)\n$/,
      );
      await writeFile(
        join(dir, "bad.json"),
        JSON.stringify({ recordedBy: "x", recordedAt: "y", answer: { request: { line: "fetch it", headers: {} } } }),
      );
      const bad = await runSim(["--replay", dir]);
      assert.equal(bad.code, 2);
      assert.match(
        bad.stderr,
        /^koodrive-sim: invalid recording .+bad\.json: .*answer\.request\.line.*answer\.response/,
      );
      const both = await runSim(["--replay", dir, "--fixture", join(dir, "bad.json")]);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /--fixture and --replay do not go together/);
    });
  });
});
