import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { MAX_READINGS, type Reading } from "../../provider/capacity/runway";
import { COMPACT_AT_LINES, FileHistory, HISTORY_FILE_VARIABLE, machineHistory } from "../../provider/tenant/history";
import { seatReading } from "../helpers/runway";

const KEY = "c".repeat(64);
const DAY_MS = 86_400_000;
const DAY_0 = Date.parse("2026-11-01T09:00:00.000Z");

/** A reading `days` after day 0 with `userCount` seats taken. */
const reading = (days: number, userCount: number): Reading => seatReading(new Date(DAY_0 + days * DAY_MS), userCount);

describe("the tenants' history on this machine", () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), "koodrive-history-"));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));
  const fileOf = () => path.join(folder, `${KEY}.jsonl`);
  const lines = () => readFileSync(fileOf(), "utf8").trim().split("\n");

  it("keeps a reading when a figure changed or a day passed, whoever records it, oldest first", async () => {
    const [a, b] = [new FileHistory(folder), new FileHistory(folder)];
    assert.deepEqual(await a.record(KEY, [reading(0, 20)]), [reading(0, 20)]);
    assert.equal((await b.record(KEY, [reading(0.1, 20)])).length, 1, "the same figures within a day add nothing");
    await b.record(KEY, [reading(0.2, 21)]);
    const history = await a.record(KEY, [reading(1.2, 21)]);
    assert.deepEqual(
      history.map((r) => r.userCount),
      [20, 21, 21],
    );
    assert.equal(lines().length, 3);
    // A reading older than the newest (another machine's clock) takes its place in time.
    assert.deepEqual(
      (await b.record(KEY, [reading(0.5, 30)])).map((r) => r.userCount),
      [20, 21, 30, 21],
    );
  });

  it("skips a torn last line and a malformed one, and starts the next reading on a line of its own", async () => {
    const history = new FileHistory(folder);
    await history.record(KEY, [reading(0, 20)]);
    appendFileSync(fileOf(), 'not json\n{"takenAt":"2026-11-01T10:00:00Z","userCount":"many"}\n{"takenAt":"2026-11-0');
    assert.deepEqual(await history.record(KEY, [reading(2, 22)]), [reading(0, 20), reading(2, 22)]);
    assert.deepEqual(JSON.parse(lines().at(-1) as string), reading(2, 22));
  });

  it(`rewrites a file past ${COMPACT_AT_LINES} lines with the history, thinned to ${MAX_READINGS} readings`, async () => {
    const history = new FileHistory(folder);
    writeFileSync(
      fileOf(),
      Array.from({ length: COMPACT_AT_LINES }, (_, day) => `${JSON.stringify(reading(day, day))}\n`).join(""),
    );
    const kept = await history.record(KEY, [reading(COMPACT_AT_LINES, COMPACT_AT_LINES)]);
    assert.equal(kept.length, MAX_READINGS);
    assert.deepEqual(kept[0], reading(0, 0), "the oldest stays: the history keeps its reach");
    assert.deepEqual(kept.at(-1), reading(COMPACT_AT_LINES, COMPACT_AT_LINES));
    assert.equal(lines().length, MAX_READINGS);
  });

  it("loses no reading when processes record at once", async () => {
    const module = path.resolve(__dirname, "../../provider/tenant/history.js");
    const script = `const { FileHistory } = require(${JSON.stringify(module)});
      const [folder, key, first] = process.argv.slice(1);
      (async () => {
        for (let n = 0; n < 10; n += 1) {
          const day = Number(first) + n;
          await new FileHistory(folder).record(key, [{ takenAt: new Date(${DAY_0} + day * ${DAY_MS}).toISOString(),
            userCount: day, deptSpaceQuotaUsed: 0, personalSpaceQuotaUsed: 0, groupSpaceQuotaUsed: 0,
            spaceQuotaUsed: 0, spaceUsedGB: 0 }]);
        }
      })();`;
    await Promise.all(
      [0, 10, 20, 30].map((first) => promisify(execFile)(process.execPath, ["-e", script, folder, KEY, String(first)])),
    );
    const history = await new FileHistory(folder).record(KEY, []);
    assert.deepEqual(
      history.map((r) => r.userCount),
      Array.from({ length: 40 }, (_, day) => day),
    );
    assert.ok(
      lines().every((line) => JSON.parse(line)),
      "every line whole",
    );
  });

  it("says once per run what it could not record, and forecasts from the run's readings", async () => {
    writeFileSync(path.join(folder, "a-file"), "");
    const run = machineHistory(path.join(folder, "a-file", "history"));
    const first = await run.record(KEY, [reading(0, 20)]);
    assert.deepEqual(first.history, [reading(0, 20)]);
    assert.match(first.warning ?? "", /^could not record the KooDrive figures in the history in .*\(ENOTDIR/);
    assert.equal((await run.record(KEY, [reading(1, 21)])).warning, undefined, "said once");
  });

  it(`takes the readings of the file ${HISTORY_FILE_VARIABLE} names on a machine whose history is empty`, async () => {
    const file = path.join(folder, "ci", "koodrive-usage.jsonl");
    await new FileHistory(path.dirname(file), () => file).record(KEY, [reading(0, 20), reading(1, 22), reading(2, 24)]);
    const machine = path.join(folder, "fresh-runner", "history");
    const run = machineHistory(machine, { [HISTORY_FILE_VARIABLE]: file });
    const { history, warning } = await run.record(KEY, [reading(3, 26)]);
    assert.equal(warning, undefined);
    assert.deepEqual(
      history.map((r) => r.userCount),
      [20, 22, 24, 26],
    );
    assert.equal(readFileSync(file, "utf8").trim().split("\n").length, 4, "the file keeps this run's reading");
    assert.deepEqual(await new FileHistory(machine).record(KEY, []), history, "and so does the machine's history");
  });
});
