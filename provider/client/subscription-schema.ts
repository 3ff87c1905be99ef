import { z } from "zod";
import type { SameType } from "./same-type";
import type { SubscriptionData } from "./subscription";
import { digitsAsNumber } from "./whole-number";
import { wholeNumberSchema } from "./whole-number-schema";

/** A whole number ≥ 0; a string of digits reads as its number (the reference types some fields as String). */
const figure = z.preprocess(digitsAsNumber, wholeNumberSchema());

/**
 * The `data` object of `GET /koodrive/ose/v1/service`, as the API reference names its fields (each
 * field's doc is in `SubscriptionData`, subscription.ts, which this schema is held to). `status` and
 * `tenantId` are required; the rest are read when present; unknown fields are dropped.
 */
export const SubscriptionDataSchema = z.object({
  status: figure,
  tenantId: z.string({ error: "must be a string" }),
  personalSpaceSize: figure.optional(),
  groupSpaceSize: figure.optional(),
  departmentSpaceSize: figure.optional(),
  spaceCapacity: figure.optional(),
  userCount: figure.optional(),
  organizationName: z.string({ error: "must be a string" }).optional(),
  organizationId: z.string({ error: "must be a string" }).optional(),
  productType: z.string({ error: "must be a string" }).optional(),
});

// Compile-time check: the schema reads exactly the published interface.
const schemaMatchesInterface: SameType<z.output<typeof SubscriptionDataSchema>, SubscriptionData> = true;
void schemaMatchesInterface;
