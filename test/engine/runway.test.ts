import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";

const TOKEN = "engine-test-token-runway-7c3e";

/** A JavaScript program: the data source's runway exported, and a guard whose minRunwayDays and enforcement come from config. */
const RUNWAY_JS = `
const pulumi = require("@pulumi/pulumi");
const koodrive = require("pulumi-koodrive");

const config = new pulumi.Config();
const guard = new koodrive.CapacityGuard("runway", {
  minRunwayDays: config.getNumber("minRunwayDays"),
  enforcement: config.get("enforcement"),
});
exports.runway = koodrive.getServiceUsageOutput().runway;
exports.guardStatus = guard.status;
`;

const MESSAGE = "seats: full in 30 days at 2 a day (on 2026-12-11) after the plan, under minRunwayDays 45";

describe("capacity runway under the real engine", function () {
  this.timeout(1_200_000);
  let sim: Simulator;
  let test: ProgramStack;

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN], usage: { userCount: 20, userMaxCount: 100 } } });
    test = await createProgramStack("runway", {
      files: { "index.js": RUNWAY_JS },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
    });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  it("forecasts from the readings of two deployments ten days apart, and guards on minRunwayDays", async () => {
    sim.setClock(new Date("2026-11-01T09:00:00Z"));
    const first = await test.stack.up();
    assert.equal(first.outputs.runway?.value.seats.perDay, null, "one reading is not enough history");
    assert.match(first.outputs.runway?.value.note, /^not enough history/);

    sim.setClock(new Date("2026-11-11T09:00:00Z"));
    sim.setUsage({ userCount: 40 });
    const second = await test.stack.up();
    assert.deepEqual(second.outputs.runway?.value.seats, {
      used: 40,
      capacity: 100,
      perDay: 2,
      daysUntilFull: 30,
      fullOn: "2026-12-11",
    });
    assert.match(
      second.outputs.runway?.value.note,
      /^from 2 readings over 10 days; a forecast from few readings is rough$/,
    );
    assert.equal(second.outputs.guardStatus?.value, "fits", "without minRunwayDays the guard judges no runway");

    await test.stack.setConfig("minRunwayDays", { value: "45" });
    const failed = await test.stack.preview().then(
      () => assert.fail("a mandatory guard under its minRunwayDays should fail the preview"),
      (error: Error) => error.message,
    );
    assert.ok(failed.includes(MESSAGE), failed);

    await test.stack.setConfig("enforcement", { value: "advisory" });
    const warned = await test.stack.preview();
    assert.ok(warned.stdout.includes(`advisory capacity guard: ${MESSAGE}`), warned.stdout);
  });
});
