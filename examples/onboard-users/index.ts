import { readFileSync } from "node:fs";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { CapacityGuard, CONNECTION_SETTINGS } from "pulumi-koodrive";

interface NewUser {
  userId: string;
  deptId: number;
  role: number;
}

/** Reads `userId,deptId,role` rows (a header line first). */
function readUsers(file: string): NewUser[] {
  const [header, ...rows] = readFileSync(file, "utf8").trim().split(/\r?\n/);
  if (header?.replace(/\s/g, "") !== "userId,deptId,role") {
    throw new pulumi.RunError(`${file}: the first line must be "userId,deptId,role"`);
  }
  return rows.map((row, index) => {
    const [userId = "", deptId = "", role = ""] = row.split(",").map((cell) => cell.trim());
    if (!/^\d+$/.test(userId) || !/^\d+$/.test(deptId) || !/^\d+$/.test(role)) {
      throw new pulumi.RunError(`${file} line ${index + 2}: expected numeric userId,deptId,role, got "${row}"`);
    }
    return { userId, deptId: Number(deptId), role: Number(role) };
  });
}

const config = new pulumi.Config();
const users = readUsers(config.get("usersCsv") ?? "users.csv");

// The plan is the whole CSV. The guard judges only the rows added since its last deployment, so a
// deployed CSV passes its next preview and one more row needs one more seat.
const guard = new CapacityGuard("new-users", {
  plannedUsers: users.length,
  minFreeSeats: config.getNumber("minFreeSeats"),
});

// Token authentication for brevity: the token stays in the environment, never in the command text or state.
const { endpoint, accessToken } = CONNECTION_SETTINGS;
for (const user of users) {
  const body = JSON.stringify({ userId: user.userId, modifyUserInfoReq: { deptId: user.deptId, role: user.role } });
  new command.local.Command(
    `user-${user.userId}`,
    {
      create: `curl -fsS -X POST "$${endpoint.variable}/koodrive/ose/v1/users" -H "Authorization: Bearer $${accessToken.variable}" -H "Content-Type: application/json" -d '${body}'`,
    },
    { dependsOn: [guard] },
  );
}

export const added = users.map((user) => user.userId);
export const seatsLeftAfter = guard.remainingAfterPlan.apply((left) => left?.seats);
