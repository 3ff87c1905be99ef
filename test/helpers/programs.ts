/** Pulumi program sources the engine tests share. */

/** A script a `command.local.Command` runs to add one user through the KooDrive users API. */
export const ADD_USER_SCRIPT = `
const [userId] = process.argv.slice(2);
fetch(process.env.KOODRIVE_ENDPOINT + "/koodrive/ose/v1/users", {
  method: "POST",
  headers: { authorization: "Bearer " + process.env.KOODRIVE_ACCESS_TOKEN, "content-type": "application/json" },
  body: JSON.stringify({ userId, modifyUserInfoReq: { deptId: 1, role: 1 } }),
}).then(async (response) => {
  if (!response.ok) {
    console.error("adding " + userId + " failed: " + response.status + " " + (await response.text()));
    process.exit(1);
  }
});
`;

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
