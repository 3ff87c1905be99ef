import { z } from "zod";
import type { SameType } from "../client/same-type";
import type { Reading } from "./runway";

const amount = z.number().finite().nonnegative();

/** A {@link Reading} as stored in a history (a stack's state, or a `--history` file); unknown keys are refused. */
export const ReadingSchema = z
  .object({
    takenAt: z.iso.datetime({ offset: true }),
    userCount: amount,
    deptSpaceQuotaUsed: amount,
    personalSpaceQuotaUsed: amount,
    groupSpaceQuotaUsed: amount,
    spaceQuotaUsed: amount,
    spaceUsedGB: amount,
  })
  .strict();

/** The readings a resource recorded, oldest first. */
export const HistorySchema = z.array(ReadingSchema);

const readingMatchesItsSchema: SameType<z.infer<typeof ReadingSchema>, Reading> = true;
void readingMatchesItsSchema;
