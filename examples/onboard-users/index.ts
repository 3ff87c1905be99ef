import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { User } from "pulumi-koodrive";

interface NewUser {
  userId: string;
  deptId: string;
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
    return { userId, deptId, role: Number(role) };
  });
}

const config = new pulumi.Config();
const users = readUsers(config.get("usersCsv") ?? "users.csv");

// Each row is a User, which judges its own seat: a CSV whose new rows need more seats than are free
// fails `pulumi preview` and `pulumi up` before anyone is added. A row removed deletes its user.
const declared = users.map((user) => new User(`user-${user.userId}`, user));

/** The ids of the users, as KooDrive answered them. */
export const added = declared.map((user) => user.userId);
