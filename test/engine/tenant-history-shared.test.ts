import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { READING_TABLE } from "../../provider/tenant/postgres-schema";
import { type Simulator, startSimulator } from "../../sim";
import { type PostgresServer, startPostgres } from "../helpers/postgres";
import { runCli } from "../helpers/run-cli";

const TOKEN = "engine-test-token-shared-history-3b8d";
const DAY_MS = 86_400_000;
const DAY_0 = Date.parse("2026-11-01T09:00:00Z");

/** A program that reads the figures and exports their runway. */
const READER_JS = `
const koodrive = require("pulumi-koodrive");
exports.runway = koodrive.getServiceUsageOutput().runway;
`;

describe("one history per tenant across machines, through the lock server, under the real engine", function () {
  this.timeout(600_000);
  let sim: Simulator;
  let postgres: PostgresServer;
  let machines: string;
  const stacks: ProgramStack[] = [];

  /** A stack on a machine of its own (its own cache folder), with the lock server's URL. */
  const onMachine = async (name: string): Promise<ProgramStack> => {
    const made = await createProgramStack(name, {
      files: { "index.js": READER_JS },
      config: { "koodrive:lockUrl": { value: postgres.url, secret: true } },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN, XDG_CACHE_HOME: path.join(machines, name) },
    });
    stacks.push(made);
    return made;
  };
  /** The readings a machine's own history holds. */
  const localReadings = (name: string): number => {
    const folder = path.join(machines, name, "pulumi-koodrive", "history");
    const [file] = readdirSync(folder);
    return readFileSync(path.join(folder, file as string), "utf8")
      .trim()
      .split("\n").length;
  };

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
    postgres = await startPostgres();
    const init = await runCli(["db", "init", "--grant", "koodrive_lock"], { KOODRIVE_LOCK_URL: postgres.adminUrl });
    assert.equal(init.code, 0, init.stderr);
    machines = mkdtempSync(path.join(os.tmpdir(), "koodrive-machines-"));
  });
  after(async () => {
    for (const made of stacks) await made.remove();
    await postgres?.stop();
    await sim?.close();
    if (machines) rmSync(machines, { recursive: true, force: true });
  });

  it("forecasts on one machine from the readings another machine made", async () => {
    const [east, west] = [await onMachine("east"), await onMachine("west")];
    for (const [day, userCount] of [
      [0, 20],
      [1, 22],
    ] as const) {
      sim.setClock(new Date(DAY_0 + day * DAY_MS));
      sim.setUsage({ userCount });
      await east.stack.preview();
    }
    sim.setClock(new Date(DAY_0 + 3 * DAY_MS));
    sim.setUsage({ userCount: 26 });
    const up = await west.stack.up();
    assert.equal(up.outputs.runway?.value.readings, 3, "east's two readings and its own");
    assert.equal(up.outputs.runway?.value.seats.perDay, 2);
    assert.equal(
      localReadings("west"),
      1,
      "its own cache folder holds its reading alone: the rest came through the server",
    );
    const [row] = await postgres.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${READING_TABLE}`);
    assert.equal(row?.n, 3);
  });
});
