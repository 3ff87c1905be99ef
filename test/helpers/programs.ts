/** Pulumi program sources the engine tests share. */

/**
 * A script a `command.local.Command` runs to POST one request to the KooDrive API; it exits 1 with
 * KooDrive's reply when refused. `args`, `path` and `body` are JavaScript source.
 */
const postScript = (args: string, path: string, body: string, what: string) => `
const [${args}] = process.argv.slice(2);
fetch(process.env.KOODRIVE_ENDPOINT + ${path}, {
  method: "POST",
  headers: { authorization: "Bearer " + process.env.KOODRIVE_ACCESS_TOKEN, "content-type": "application/json" },
  body: JSON.stringify(${body}),
}).then(async (response) => {
  if (!response.ok) {
    console.error(${what} + " failed: " + response.status + " " + (await response.text()));
    process.exit(1);
  }
});
`;

/** A script a `command.local.Command` runs to add one user through the KooDrive users API. */
export const ADD_USER_SCRIPT = postScript(
  "userId",
  '"/koodrive/ose/v1/users"',
  "{ userId, modifyUserInfoReq: { deptId: 1, role: 1 } }",
  '"adding " + userId',
);

/** A script a `command.local.Command` runs to create one space of the given GB in the department pool. */
export const ADD_SPACE_SCRIPT = postScript(
  "ownerId, capacity",
  '"/koodrive/ose/v1/space/" + ownerId',
  "{ capacity, type: 0 }",
  '"creating space " + ownerId',
);

/** A JavaScript program: one guard from config, users added behind it, the figures exported. */
export const GUARDED_ONBOARDING_JS = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const koodrive = require("pulumi-koodrive");

const config = new pulumi.Config();
const users = config.getObject("users") || [];
const guard = new koodrive.CapacityGuard("onboarding", {
  plannedUsers: users.length,
  plannedSpaceGB: config.getObject("plannedSpaceGB"),
  minFreeSeats: config.getNumber("minFreeSeats"),
  warnAtPercent: config.getNumber("warnAtPercent"),
  enforcement: config.get("enforcement"),
});
for (const user of users) {
  new command.local.Command("add-" + user, { create: "node add-user.js " + user }, { dependsOn: [guard] });
}
if (!config.getBoolean("guardOnly")) exports.remainingSeats = koodrive.getServiceUsageOutput().remainingSeats;
exports.guardStatus = guard.status;
exports.remainingAfterPlan = guard.remainingAfterPlan;
`;

/**
 * A JavaScript program: guard "onboarding" plans `users` users and the department GB of `spaces`,
 * each added behind it; an optional guard "pilot" plans `pilotUsers` more, declared first with `pilotFirst`.
 */
export const GUARD_CYCLE_JS = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const koodrive = require("pulumi-koodrive");

const config = new pulumi.Config();
const users = config.getNumber("users") || 0;
const spaces = config.getObject("spaces") || [];
const pilotUsers = config.getNumber("pilotUsers");
const pilot = () => pilotUsers === undefined || new koodrive.CapacityGuard("pilot", { plannedUsers: pilotUsers });
if (config.getBoolean("pilotFirst")) pilot();
const guard = new koodrive.CapacityGuard("onboarding", {
  plannedUsers: users,
  plannedSpaceGB: { dept: spaces.reduce((sum, gb) => sum + gb, 0) },
});
if (!config.getBoolean("pilotFirst")) pilot();
for (let n = 0; n < users; n++) {
  new command.local.Command("user-" + n, { create: "node add-user.js u" + n }, { dependsOn: [guard] });
}
spaces.forEach((gb, n) => {
  new command.local.Command("space-" + n, { create: "node add-space.js s" + n + " " + gb }, { dependsOn: [guard] });
});
exports.remainingSeats = koodrive.getServiceUsageOutput().remainingSeats;
exports.message = guard.message;
`;
