import assert from "node:assert/strict";
import { createProgramStack, type ProgramStack } from "../../harness/program-stack";
import { type Fault, type Simulator, startSimulator } from "../../sim";
import { ADD_USER_SCRIPT, GUARDED_ONBOARDING_JS } from "../helpers/programs";

const TOKEN = "fault-suite-token-44aa91";

interface FaultCase {
  name: string;
  fault: Fault;
  count: number;
  /** The deployment's error, or undefined when a retry gets through. */
  error?: RegExp;
}

const CASES: FaultCase[] = [
  {
    name: "a 500 storm",
    fault: { kind: "status", status: 500 },
    count: 10,
    error: /KooDrive returned HTTP 500.*after 3 attempts/,
  },
  { name: "503 then success", fault: { kind: "status", status: 503 }, count: 1 },
  {
    name: "429 with Retry-After then success",
    fault: { kind: "status", status: 429, headers: { "Retry-After": "1" } },
    count: 1,
  },
  {
    name: "a 200 whose code is not 0",
    fault: { kind: "status", status: 200, body: { code: 13000201, msg: "inner server invoke failure" } },
    count: 1,
    error: /KooDrive error 13000201: inner server invoke failure/,
  },
  { name: "an HTML error page", fault: { kind: "html", status: 200 }, count: 1, error: /HTML instead of JSON/ },
  { name: "a body cut off half-way, then success", fault: { kind: "truncate" }, count: 1 },
  { name: "a reset connection, then success", fault: { kind: "reset" }, count: 1 },
  {
    name: "wrong types in data",
    fault: { kind: "data", data: { userCount: "many" } },
    count: 1,
    error: /data\.userCount must be a whole number ≥ 0 \(got "many"\)/,
  },
  {
    name: "a server that never answers",
    fault: { kind: "delay", ms: 600_000 },
    count: 10,
    error: /did not answer in time/,
  },
];

/**
 * One stack meets every fault in turn, each time planning one user more than it deployed: a fault
 * that fails the deployment adds no user, one a retry gets through adds the new one.
 */
describe("a mandatory guard facing KooDrive faults, under the real engine", function () {
  this.timeout(600_000);
  let sim: Simulator;
  let test: ProgramStack;
  /** The users deployed so far. */
  const deployed: string[] = [];

  before(async () => {
    sim = await startSimulator({ fixture: { tokens: [TOKEN] } });
    test = await createProgramStack("faults", {
      files: { "index.js": GUARDED_ONBOARDING_JS, "add-user.js": ADD_USER_SCRIPT },
      config: { guardOnly: { value: "true" } },
      env: { KOODRIVE_ENDPOINT: sim.url, KOODRIVE_ACCESS_TOKEN: TOKEN },
    });
  });
  after(async () => {
    await test?.remove();
    await sim?.close();
  });

  for (const { name, fault, count, error } of CASES) {
    it(`${error ? "fails the deployment cleanly on" : "gets through"} ${name}`, async () => {
      const user = `user-${name.replaceAll(/\W+/g, "-")}`;
      await test.stack.setConfig("users", { value: JSON.stringify([...deployed, user]) });
      const usersBefore = sim.usage().userCount;
      const requestsBefore = sim.requestCount("quotaUsed");
      sim.clearFaults(); // what an earlier case's retries left of its faults
      sim.queueFault("quotaUsed", fault, count);
      const outcome = await test.stack.up().then(
        (result) => result,
        (failure: Error) => failure,
      );
      if (error) {
        assert.ok(outcome instanceof Error, "the deployment should fail");
        assert.match(outcome.message, error);
        assert.match(outcome.message, /CapacityGuard resource 'onboarding'.*cannot read KooDrive usage/);
        assert.doesNotMatch(outcome.message, /\n\s+at .*\.js:\d+/, "no stack trace");
        assert.equal(sim.usage().userCount, usersBefore, "no user was added");
      } else {
        assert.ok(!(outcome instanceof Error), `the deployment should succeed: ${outcome}`);
        assert.equal(sim.usage().userCount, usersBefore + 1, "the guarded user was added");
        assert.ok(sim.requestCount("quotaUsed") - requestsBefore >= 2, "it took a retry");
        deployed.push(user);
      }
    });
  }
});
