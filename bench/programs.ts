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

/** How many users the growth programs add (`BENCH_COUNT`), and the prefix of their ids (`BENCH_ID`), from the environment. */
const GROWTH_HEAD = `
const count = Number(process.env.BENCH_COUNT);
const prefix = process.env.BENCH_ID ?? "u";
`;

/** `BENCH_COUNT` new `User` resources (TypeScript), ids `<BENCH_ID>1`, `<BENCH_ID>2`, …, role 1. */
export const USERS_TS_PROGRAM = `import { User } from "pulumi-koodrive";
${GROWTH_HEAD}
for (let n = 1; n <= count; n++) new User(\`user-\${n}\`, { userId: \`\${prefix}\${n}\`, role: 1 });
`;

/**
 * The same users added as users do it without `User` (as examples/onboard-users did before it): one
 * `command.local.Command` per user running curl against KooDrive's POST /koodrive/ose/v1/users, the
 * token from the environment.
 */
export const COMMANDS_TS_PROGRAM = `import * as command from "@pulumi/command";
${GROWTH_HEAD}
for (let n = 1; n <= count; n++) {
  const body = JSON.stringify({ userId: \`\${prefix}\${n}\`, modifyUserInfoReq: { role: 1 } });
  new command.local.Command(\`user-\${n}\`, {
    create: \`curl -fsS -X POST "$${variableOf("endpoint")}/koodrive/ose/v1/users" -H "Authorization: Bearer $${variableOf("accessToken")}" -H "Content-Type: application/json" -d '\${body}'\`,
  });
}
`;
