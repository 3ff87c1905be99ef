/**
 * The connection settings a resource or a provider receives, checked. Kept out of the client's
 * connection-settings.ts, whose types the package publishes: zod's types must not reach a program's tsc.
 */
import { z } from "zod";
import { CONNECTION_KEYS } from "./connection-settings";

/**
 * Connection settings as a resource or a provider receives them: each a string, and no other key.
 * The one check of them; each front end says its issues in its own words.
 */
export const ConnectionValuesSchema = z
  .object(Object.fromEntries(CONNECTION_KEYS.map((key) => [key, z.string({ error: "must be a string" }).optional()])))
  .strict();
