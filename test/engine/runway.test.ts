import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Simulator, startSimulator } from "../../sim";
import { steadyRunway } from "../helpers/runway";

const TOKEN = "engine-test-token-runway-7c3e";

/**
 * A JavaScript program: the data source's runway exported, and two guards of one tenant whose
 * minRunwayDays, enforcement and plannedUsers (`usersA`, `usersB`) come from config.
 */
const RUNWAY_JS = `
const pulumi = require("@pulumi/pulumi");
const koodrive = require("pulumi-koodrive");

const config = new pulumi.Config();
const guard = (name, users) =>
  new koodrive.CapacityGuard(name, {
    plannedUsers: users,
    minRunwayDays: config.getNumber("minRunwayDays"),
    enforcement: config.get("enforcement"),
  });
const a = guard("runway-a", config.getNumber("usersA"));
guard("runway-b", config.getNumber("usersB"));
exports.runway = koodrive.getServiceUsageOutput().runway;
exports.guardStatus = a.status;
`;

/** The message of a run that must fail. */
const failure = (run: Promise<unknown>): Promise<string> =>
  run.then(
    () => assert.fail("the run should fail"),
    (error: Error) => error.message,
  );

const ALONE = "seats: full in 37 days at 2 seats a day (on 2026-12-11) after the plan, under minRunwayDays 45";
const TOGETHER =
  "seats: full in 17 days at 2 seats a day (on 2026-11-21) after guards runway-a (20 seats) and runway-b (20 seats) take 40 new seats together, under minRunwayDays 20";

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

  it("forecasts from three deployments over three days, and judges minRunwayDays for the tenant", async () => {
    sim.setClock(new Date("2026-11-01T09:00:00Z"));
    const first = await test.stack.up();
    assert.equal(first.outputs.runway?.value.seats.perDay, null, "one reading is not enough history");
    assert.match(first.outputs.runway?.value.note, /missing 2 more readings and 3 more days of history$/);

    sim.setClock(new Date("2026-11-02T09:00:00Z"));
    sim.setUsage({ userCount: 22 });
    const second = await test.stack.up();
    assert.equal(second.outputs.runway?.value.seats.perDay, null, "two readings a day apart are not enough");

    sim.setClock(new Date("2026-11-04T09:00:00Z"));
    sim.setUsage({ userCount: 26 });
    const third = await test.stack.up();
    assert.deepEqual(third.outputs.runway?.value.seats, steadyRunway(26, 100, 2, 37, "2026-12-11"));
    assert.match(
      third.outputs.runway?.value.note,
      /^from 3 readings over 3 days; a forecast from few readings is rough$/,
    );
    assert.equal(third.outputs.guardStatus?.value, "fits", "without minRunwayDays the guard judges no runway");

    await test.stack.setConfig("minRunwayDays", { value: "45" });
    const failed = await failure(test.stack.preview());
    assert.ok(failed.includes(ALONE), failed);

    await test.stack.setConfig("enforcement", { value: "advisory" });
    const warned = await test.stack.preview();
    assert.ok(warned.stdout.includes(`advisory capacity guard: ${ALONE}`), warned.stdout);

    // 20 users each: alone a guard leaves 27 days, together they leave 17, under minRunwayDays 20.
    await test.stack.setAllConfig({
      enforcement: { value: "mandatory" },
      minRunwayDays: { value: "20" },
      usersA: { value: "20" },
      usersB: { value: "0" },
    });
    await test.stack.preview();
    await test.stack.setConfig("usersB", { value: "20" });
    const joint = await failure(test.stack.preview());
    assert.ok(joint.includes(TOGETHER), joint);
  });
});
