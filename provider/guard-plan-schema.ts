import { z } from "zod";

const wholeNumber = (what: string) =>
  z
    .number({ error: `${what} must be a whole number ≥ 0` })
    .int({ error: `${what} must be a whole number ≥ 0` })
    .nonnegative({ error: `${what} must be a whole number ≥ 0` })
    .optional();

/** What a `CapacityGuard` checks, as its provider receives it. The argument docs live in capacity-guard.ts. */
export const GuardPlanSchema = z.object({
  plannedUsers: wholeNumber("plannedUsers"),
  plannedSpaceGB: z
    .object({
      dept: wholeNumber("plannedSpaceGB.dept"),
      personal: wholeNumber("plannedSpaceGB.personal"),
      group: wholeNumber("plannedSpaceGB.group"),
    })
    .strict()
    .optional(),
  minFreeSeats: wholeNumber("minFreeSeats"),
  minFreeGB: wholeNumber("minFreeGB"),
  warnAtPercent: z
    .number({ error: "warnAtPercent must be a number from 0 to 100" })
    .min(0, { error: "warnAtPercent must be a number from 0 to 100" })
    .max(100, { error: "warnAtPercent must be a number from 0 to 100" })
    .optional(),
  enforcement: z
    .enum(["mandatory", "advisory"], { error: 'enforcement must be "mandatory" or "advisory"' })
    .default("mandatory"),
});
