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
