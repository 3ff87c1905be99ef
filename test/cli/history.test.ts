import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import type { GetServiceUsageResult } from "../../provider/client/usage";
import { type Simulator, startSimulator } from "../../sim";
import { type LoopbackServer, quotaUsed, startLoopbackServer } from "../helpers/loopback-server";
import { runCli } from "../helpers/run-cli";
import { TEST_TOKEN } from "../helpers/secrets";

const DAY_MS = 86_400_000;

describe("koodrive-usage --history", () => {
  let sim: Simulator;
  let server: LoopbackServer | undefined;
  let dir: string;
  let file: string;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: { tokens: [TEST_TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
    dir = mkdtempSync(join(tmpdir(), "koodrive-history-"));
    file = join(dir, "usage.jsonl");
  });
  afterEach(async () => {
    await sim.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = () => readFileSync(file, "utf8").trimEnd().split("\n");

  it("appends a reading per run, skips a malformed line, dates by KooDrive's clock or the local one, and forecasts", async () => {
    // Readings 20 and 10 days before now, so the third (local clock) run falls in the 30-day window.
    const day0 = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - 20 * DAY_MS);
    const day10 = new Date(day0.getTime() + 10 * DAY_MS);
    const env = { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN };

    sim.setClock(day0);
    const first = await runCli(["--history", file], env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, "");
    assert.match(first.stdout, /^Runway:$/m);
    assert.match(first.stdout, /^ {2}Seats +▁ +no rate yet$/m);
    assert.match(first.stdout, /not enough history: needs 2 readings at least 1 day apart/);
    assert.equal(JSON.parse(lines()[0] ?? "").takenAt, day0.toISOString());

    writeFileSync(file, "not json\n", { flag: "a" });
    sim.setClock(day10);
    sim.setUsage({ userCount: 40 });
    const second = await runCli(["--history", file, "--json"], env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stderr, `warning: ${file} line 2 is not JSON; skipped, and left in the file as it is\n`);
    const { runway } = JSON.parse(second.stdout) as GetServiceUsageResult;
    const fullOn = new Date(day10.getTime() + 30 * DAY_MS).toISOString().slice(0, 10);
    assert.deepEqual(runway?.seats, { used: 40, capacity: 100, perDay: 2, daysUntilFull: 30, fullOn });
    assert.equal(runway?.note, "from 2 readings over 10 days; a forecast from few readings is rough");
    assert.equal(lines()[1], "not json", "the malformed line is left as it is");

    // No Date header: the reading is dated by the local clock. 99 of 100 seats: full within days.
    server = await startLoopbackServer((request, response) => {
      response.sendDate = false;
      quotaUsed({ ...DOCUMENTED_EXAMPLE, userCount: 99, userMaxCount: 100 })(request, response);
    });
    const before = Date.now();
    const third = await runCli(["--history", file, "--min-runway-days", "45"], {
      ...env,
      KOODRIVE_ENDPOINT: server.url,
    });
    const after = Date.now();
    assert.equal(third.code, 1, third.stderr);
    assert.match(third.stderr, /^warning: .* line 2 is not JSON/m);
    assert.match(
      third.stderr,
      /^seats: full in 0\.\d days at [\d.]+ a day \(on \d{4}-\d\d-\d\d\) after the plan, under minRunwayDays 45$/m,
    );
    assert.match(third.stdout, /^ {2}Seats +▁▃█ +[\d.]+ a day, full in/m);
    assert.match(third.stdout, /from 3 readings over [\d.]+ days; a forecast from few readings is rough/);
    assert.match(third.stdout, /^Plan exceeds capacity \(1 violation, listed on stderr\)\.$/m);
    const takenAt = Date.parse(JSON.parse(lines()[3] ?? "").takenAt);
    assert.ok(takenAt >= before - 1000 && takenAt <= after + 1000, `local clock ${new Date(takenAt).toISOString()}`);
    assert.equal(lines().length, 4);
  });

  it("refuses --min-runway-days without --history before sending anything", async () => {
    const run = await runCli(["--min-runway-days", "45"], {
      KOODRIVE_ENDPOINT: sim.url,
      KOODRIVE_ACCESS_TOKEN: TEST_TOKEN,
    });
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      "koodrive-usage: --min-runway-days needs --history FILE: the runway is forecast from the readings kept in that file\n",
    );
    assert.equal(sim.requestCount("quotaUsed"), 0);
  });
});
