import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GetServiceUsageResult } from "../../provider/capacity/runway";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import { type Simulator, startSimulator } from "../../sim";
import { type LoopbackServer, quotaUsed, startLoopbackServer } from "../helpers/loopback-server";
import { runCli } from "../helpers/run-cli";
import { steadyRunway } from "../helpers/runway";
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

  it("appends a reading when a figure changed or a day passed, skips a malformed line, dates by KooDrive's clock or the local one, and forecasts", async () => {
    // Readings 20, 15 and 10 days before now, so the last (local clock) run falls in the 30-day window.
    const day0 = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - 20 * DAY_MS);
    const on = (days: number) => new Date(day0.getTime() + days * DAY_MS);
    const env = { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN };

    sim.setClock(day0);
    const started = Date.now();
    const first = await runCli(["--history", file], env);
    const took = Date.now() - started;
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, "");
    assert.match(first.stdout, /^Runway:$/m);
    assert.match(first.stdout, /^ {2}Seats +▁ +no rate yet$/m);
    assert.match(
      first.stdout,
      /not enough history for a forecast: .* missing 2 more readings and 3 more days of history/,
    );
    // The simulator's clock runs on from day0 while the CLI starts (seconds on a loaded machine).
    const firstTakenAt = Date.parse(JSON.parse(lines()[0] ?? "").takenAt);
    assert.ok(
      firstTakenAt >= day0.getTime() && firstTakenAt <= day0.getTime() + took + 1000,
      `KooDrive's clock ${new Date(firstTakenAt).toISOString()}, set to ${day0.toISOString()} ${took} ms before`,
    );

    // The same figures an hour later add nothing to the file.
    sim.setClock(new Date(day0.getTime() + 3_600_000));
    const rerun = await runCli(["--history", file], env);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(lines().length, 1);

    writeFileSync(file, "not json\n", { flag: "a" });
    sim.setClock(on(5));
    sim.setUsage({ userCount: 30 });
    assert.equal((await runCli(["--history", file], env)).code, 0);
    sim.setClock(on(10));
    sim.setUsage({ userCount: 40 });
    const second = await runCli(["--history", file, "--json"], env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stderr, `warning: ${file} line 2 is not JSON; skipped, and left in the file as it is\n`);
    const { runway } = JSON.parse(second.stdout) as GetServiceUsageResult;
    const fullOn = new Date(on(10).getTime() + 30 * DAY_MS).toISOString().slice(0, 10);
    assert.deepEqual(runway?.seats, steadyRunway(40, 100, 2, 30, fullOn));
    assert.equal(runway?.note, "from 3 readings over 10 days; a forecast from few readings is rough");
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
      /^seats: full in 0\.\d days \([\d.]+–[\d.]+\) at [\d.]+ seats a day \(on \d{4}-\d\d-\d\d\) after the plan, under minRunwayDays 45$/m,
    );
    assert.match(third.stdout, /^ {2}Seats +▁▂▃█ +full in [\d.]+ days \([\d.]+–[\d.]+\) at [\d.]+ seats? a day/m);
    assert.match(third.stdout, /from 4 readings over [\d.]+ days; a forecast from few readings is rough/);
    assert.match(third.stdout, /^Plan exceeds capacity \(1 violation, listed on stderr\)\.$/m);
    const takenAt = Date.parse(JSON.parse(lines()[4] ?? "").takenAt);
    assert.ok(takenAt >= before - 1000 && takenAt <= after + 1000, `local clock ${new Date(takenAt).toISOString()}`);
    assert.equal(lines().length, 5);
  });

  it("is not bent by a bulk onboarding: 20, 22, 24, 60, 62, 64 of 100 seats on six days", async () => {
    const day0 = new Date("2026-11-01T09:00:00.000Z");
    const env = { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TEST_TOKEN };
    let last: Awaited<ReturnType<typeof runCli>> | undefined;
    for (const [day, userCount] of [20, 22, 24, 60, 62, 64].entries()) {
      sim.setClock(new Date(day0.getTime() + day * DAY_MS));
      sim.setUsage({ userCount });
      last = await runCli(["--history", file, "--json"], env);
      assert.equal(last.code, 0, last.stderr);
    }
    const seats = (JSON.parse(last?.stdout ?? "") as GetServiceUsageResult).runway?.seats;
    assert.ok(seats?.perDay !== null && Math.abs((seats?.perDay ?? 0) - 2) <= 0.5, `perDay ${seats?.perDay}`);
    assert.ok(Math.abs((seats?.daysUntilFull ?? 0) - 18) <= 1, `daysUntilFull ${seats?.daysUntilFull}`);
    const [soonest, latest] = seats?.daysUntilFullRange ?? [null, null];
    assert.ok(soonest !== null && latest !== null && soonest <= 18 && 18 <= latest, `range ${soonest}–${latest}`);
    assert.deepEqual(seats?.fullOnRange, ["2026-11-07", "2026-11-24"]);

    const text = await runCli(["--history", file], env);
    assert.match(
      text.stdout,
      /^ {2}Seats +▁▁▂▇██ +full in 18 days \(1–18\) at 2 seats a day \(on 2026-11-24, 2026-11-07 to 2026-11-24\)$/m,
    );
    assert.match(text.stdout, /^ {2}Department pool quota +▁{6} +not growing \(0 GB a day\)$/m);
    assert.equal(lines().length, 6, "a rerun with the same figures on the same day adds no reading");
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
