import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { dailyGrowth, type Reading } from "../../provider/capacity/runway";
import { FileHistory } from "../../provider/tenant/history";
import { type Simulator, startSimulator } from "../../sim";
import { runCli } from "../helpers/run-cli";

const TOKEN = "engine-test-token-history-5a1f";
const DAY_MS = 86_400_000;
const DAY_0 = Date.parse("2026-11-01T09:00:00Z");

/** A program that reads the figures (its runway exported) and holds a guard whose plan never changes. */
const READER_JS = `
const koodrive = require("pulumi-koodrive");
new koodrive.CapacityGuard("steady", { plannedUsers: 1, minRunwayDays: 5 });
exports.runway = koodrive.getServiceUsageOutput().runway;
`;

/** Seats taken on `day`: 2 a day, with a step of 5 on day 5 (which the median of daily growth ignores). */
const seatsOn = (day: number): number => 20 + 2 * day + (day >= 5 ? 3 : 0);

describe("one history per tenant, under the real engine", function () {
  this.timeout(900_000);
  let sim: Simulator;
  let cache: string;
  let first: ProgramStack;
  let second: ProgramStack;
  /** The environment of every front end on this "machine": one cache folder, so one history. */
  let env: Record<string, string>;

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
    cache = mkdtempSync(path.join(os.tmpdir(), "koodrive-history-cache-"));
    env = { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN, XDG_CACHE_HOME: cache };
    [first, second] = await Promise.all(
      ["history-a", "history-b"].map((name) => createProgramStack(name, { files: { "index.js": READER_JS }, env })),
    );
  });
  after(async () => {
    await first?.remove();
    await second?.remove();
    await sim?.close();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  // The simulator's clock runs on from the time set: from day 10, on which the figures stand still, a
  // minute more each day keeps each reading a full day after the one before, as "a day passed" asks,
  // however long the day's preview took.
  const at = (day: number) => sim.setClock(new Date(DAY_0 + day * DAY_MS + Math.max(0, day - 9) * 60_000));
  /** The tenant's history on this machine (one tenant, one file). */
  const history = async (): Promise<Reading[]> => {
    const folder = path.join(cache, "pulumi-koodrive", "history");
    const [file] = readdirSync(folder);
    assert.ok(file, "the tenant has a history");
    return new FileHistory(folder).record(path.basename(file, ".jsonl"), []);
  };
  /** `perDay` of seats from the history itself, as the runway rounds it. */
  const historyPerDay = async (): Promise<number | null> => {
    const growth = dailyGrowth(
      (await history()).map((r) => ({ day: Date.parse(r.takenAt) / DAY_MS, value: r.userCount })),
    );
    return growth && Number(growth.perDay.toFixed(3));
  };
  const cliRunway = async (historyFile: string) => {
    const run = await runCli(["--json", "--history", historyFile], env);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout).runway;
  };

  it("forecasts a stack, the CLI and a new stack from every reading of the tenant over ten days", async () => {
    for (let day = 0; day < 9; day += 1) {
      at(day);
      sim.setUsage({ userCount: seatsOn(day) });
      if (day % 4 === 0) {
        const preview = await first.stack.preview();
        // With too little history the guard says so, every run.
        if (day === 0) assert.match(preview.stdout, /minRunwayDays 5 is not judged yet: not enough history/);
      } else {
        const run = await runCli([], env);
        assert.equal(run.code, 0, run.stderr);
      }
    }
    at(9);
    sim.setUsage({ userCount: seatsOn(9) });
    // A stack that never ran forecasts at once, from the readings the other stack and the CLI made.
    const fresh = await second.stack.up();
    const up = await first.stack.up();
    const cli = await cliRunway(path.join(cache, "empty-history.jsonl"));
    assert.equal((await history()).length, 10, "one reading a day, whoever made it");
    const perDay = await historyPerDay();
    assert.equal(perDay, 2);
    for (const runway of [fresh.outputs.runway?.value, up.outputs.runway?.value, cli]) {
      assert.equal(runway.seats.perDay, perDay);
      assert.match(runway.note, /^from 10 readings over 9 days$/);
    }
  });

  it("passes preview --expect-no-changes on eleven days in a row while the runway moves", async () => {
    const before = (await cliRunway(path.join(cache, "steady.jsonl"))).seats.perDay;
    for (let day = 10; day <= 20; day += 1) {
      at(day);
      const preview = await second.stack.preview({ expectNoChanges: true });
      assert.equal(preview.changeSummary.update ?? 0, 0, preview.stdout);
    }
    assert.equal((await history()).length, 21, "each day's preview added its reading");
    // Eleven days without growth: the median of daily growth is 0 now.
    const after = await cliRunway(path.join(cache, "steady.jsonl"));
    assert.deepEqual([before, after.seats.perDay], [2, 0]);
    assert.equal(after.seats.perDay, await historyPerDay());
  });

  it("forecasts from the history file a CI job keeps when the cache folder is empty (a fresh runner)", async () => {
    const runner = mkdtempSync(path.join(os.tmpdir(), "koodrive-fresh-runner-"));
    const file = path.join(runner, "koodrive-usage.jsonl");
    const folder = path.join(cache, "pulumi-koodrive", "history");
    copyFileSync(path.join(folder, readdirSync(folder)[0] as string), file);
    const fresh = await createProgramStack("history-ci", {
      files: { "index.js": READER_JS },
      env: { ...env, XDG_CACHE_HOME: path.join(runner, "cache"), KOODRIVE_HISTORY_FILE: file },
    });
    try {
      at(21);
      const up = await fresh.stack.up();
      assert.equal(up.outputs.runway?.value.readings, 22, "the file's 21 readings and this run's");
      assert.equal(up.outputs.runway?.value.seats.perDay, 0);
      assert.equal(readFileSync(file, "utf8").trim().split("\n").length, 22, "the file keeps this run's reading");
    } finally {
      await fresh.remove();
      rmSync(runner, { recursive: true, force: true });
    }
  });
});
