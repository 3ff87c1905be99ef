import { z } from "zod";
import type { QUOTA_USED_FIELDS, QuotaUsedData } from "./quota-used";
import type { SameType } from "./same-type";
import { digitsAsNumber } from "./whole-number";
import { wholeNumberSchema } from "./whole-number-schema";

/** The envelope every KooDrive answer comes in: `{code, msg, data?}`. */
export const EnvelopeSchema = z.object({
  code: z.union([z.number(), z.string()], { error: "must be a number or a string" }),
  msg: z.string().optional(),
  data: z.unknown().optional(),
});

/**
 * A non-negative whole number, as every figure in a quotaUsed response is. A string of digits is
 * accepted and read as its number (gateways sometimes quote long integers); one beyond the largest safe
 * whole number is refused saying so, as is anything else.
 */
const figure = z.preprocess(digitsAsNumber, wholeNumberSchema());

/**
 * The `data` object of `GET /koodrive/ose/v1/service/quotaUsed`, field for field as the API names them
 * (each field's doc is in `QuotaUsedData`, quota-used.ts, which this schema is held to). Unknown extra
 * fields are tolerated (and dropped), so a newer service does not break older clients.
 */
export const QuotaUsedDataSchema = z.object({
  spaceCapacity: figure,
  spaceQuotaUsed: figure,
  deptSpaceQuota: figure,
  personalSpaceQuota: figure,
  groupSpaceQuota: figure,
  reservedSpaceQuota: figure,
  deptSpaceQuotaUsed: figure,
  personalSpaceQuotaUsed: figure,
  groupSpaceQuotaUsed: figure,
  spaceUsed: figure,
  deptSpaceUsed: figure,
  personalSpaceUsed: figure,
  groupSpaceUsed: figure,
  userCount: figure,
  userMaxCount: figure,
  packageDownloadExpires: figure,
  productType: z.string({ error: "must be a string" }),
});

// Compile-time check: the schema reads exactly the published interface, so neither can drift.
// The field list names every field.
const schemaMatchesInterface: SameType<z.output<typeof QuotaUsedDataSchema>, QuotaUsedData> = true;
const fieldsNameEveryField: SameType<(typeof QUOTA_USED_FIELDS)[number], keyof QuotaUsedData> = true;
void [schemaMatchesInterface, fieldsNameEveryField];
