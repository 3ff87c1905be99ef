/** The Pulumi programs the preview benchmarks compare. */
import { variableOf } from "../provider/config/connection-settings";

const BASELINE = `
const pulumi = require("@pulumi/pulumi");
const noop = { async create(inputs) { return { id: "noop", outs: inputs }; } };
new pulumi.dynamic.Resource(noop, "baseline", { value: 1 });
`;

/** One trivial dynamic resource. */
export const BASELINE_PROGRAM = BASELINE;

/** The baseline plus the data source and one guard. */
export const GUARD_PROGRAM = `${BASELINE}
const koodrive = require("pulumi-koodrive");
exports.seats = koodrive.getServiceUsageOutput().remainingSeats;
const guards = Number(process.env.GUARDS || 1);
for (let n = 0; n < guards; n++) new koodrive.CapacityGuard("guard-" + n, { plannedUsers: 1 });
`;

/** The baseline plus the do-it-yourself alternative: curl through command.local.runOutput, parsed by hand. */
export const CURL_PROGRAM = `${BASELINE}
const command = require("@pulumi/command");
const answer = command.local.runOutput({
  command: 'curl -fsS -H "Authorization: Bearer $${variableOf("accessToken")}" "$${variableOf("endpoint")}/koodrive/ose/v1/service/quotaUsed"',
});
exports.seats = answer.stdout.apply((text) => {
  const data = JSON.parse(text).data;
  return data.userMaxCount - data.userCount;
});
`;

/**
 * A deployment behind a guard whose plan never changes: work that runs on every `up` (a 5 s step,
 * replaced when its trigger, the environment's `BENCH_ROUND`, changes), as a retry or a routine
 * deployment has. The guard takes the tenant at `diff` in every `up`.
 */
export const QUEUED_PROGRAM = `
const command = require("@pulumi/command");
const koodrive = require("pulumi-koodrive");
const guard = new koodrive.CapacityGuard("guard", { plannedUsers: 1 });
new command.local.Command("work", { create: "sleep 5", triggers: [process.env.BENCH_ROUND] }, { dependsOn: [guard] });
`;
