import { z } from "zod";
import type { SameType } from "./same-type";
import type { KooDriveUser } from "./users";
import { figureSchema } from "./whole-number-schema";

const text = () => z.string({ error: "must be a string" });

/**
 * The `data` of `GET /koodrive/ose/v1/users/{userId}` (each field's doc is in `KooDriveUser`, users.ts,
 * which this schema is held to): `userId`, `role` and `status` are required, the rest read when present;
 * unknown fields are dropped.
 */
export const KooDriveUserSchema = z.object({
  userId: text(),
  role: figureSchema(),
  status: figureSchema(),
  id: text().optional(),
  orgId: text().optional(),
  deptId: text().optional(),
  deptName: text().optional(),
  mobile: text().optional(),
  name: text().optional(),
});

// Compile-time check: the schema reads exactly the published interface.
const schemaMatchesInterface: SameType<z.output<typeof KooDriveUserSchema>, KooDriveUser> = true;
void schemaMatchesInterface;
