import { readFile } from "node:fs/promises";
import { z } from "zod";
import { FixtureError } from "../provider/client/errors";
import { describeIssues } from "../provider/client/zod-issues";
import { SubscriptionPatchSchema, UsagePatchSchema } from "./state";

const AppSchema = z.strictObject({
  appId: z.string().min(1),
  appSecret: z.string().min(1),
  /** When given, the app may only act as this X-User-Id. */
  userId: z.string().min(1).optional(),
});

/**
 * A simulator fixture; every key is optional. Usage fields not given keep the documented example's values.
 * Giving `tokens` or `apps` (even empty) replaces the demo credentials.
 */
export const SimulatorFixtureSchema = z
  .strictObject({
    usage: UsagePatchSchema.optional(),
    subscription: SubscriptionPatchSchema.optional(),
    tokens: z.array(z.string().min(1)).optional(),
    apps: z.array(AppSchema).optional(),
  })
  .superRefine((fixture, context) => {
    const seen = new Set<string>();
    fixture.apps?.forEach((app, index) => {
      if (seen.has(app.appId)) {
        context.addIssue({ code: "custom", path: ["apps", index, "appId"], message: "duplicate appId" });
      }
      seen.add(app.appId);
    });
  });

/** A simulator fixture; see {@link SimulatorFixtureSchema}. */
export type SimulatorFixture = z.infer<typeof SimulatorFixtureSchema>;

/** Validates a fixture object; `source` names where it came from in the error message. */
export function parseFixture(value: unknown, source: string): SimulatorFixture {
  const parsed = SimulatorFixtureSchema.safeParse(value);
  if (!parsed.success) throw new FixtureError(`invalid fixture ${source}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Reads and validates a fixture file (JSON). */
export async function loadFixture(file: string): Promise<SimulatorFixture> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new FixtureError(`cannot read fixture ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FixtureError(`invalid fixture ${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseFixture(json, file);
}
