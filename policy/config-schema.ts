/**
 * The policy pack's config, declared once: what each policy of `pulumi-koodrive/policy` accepts in
 * `--policy-pack-config`, checked with zod (an unknown key or a wrong type is refused, naming it), and the
 * JSON schema CrossGuard shows and checks, derived from it. Kept out of the published types (index.ts uses
 * it only inside its functions): zod's types must not reach a program's tsc.
 */

import { z } from "zod";
import { PolicyConfigError } from "../provider/client/errors";
import { wholeNumberSchema } from "../provider/client/whole-number-schema";
import { describeIssues } from "../provider/client/zod-issues";
import { ConnectionValuesSchema } from "../provider/config/connection-values";

/** A regular expression given as a string: refused when it does not compile. */
const patternSchema = z.string({ error: "must be a string (a regular expression)" }).refine(
  (text) => {
    try {
      new RegExp(text);
      return true;
    } catch {
      return false;
    }
  },
  { error: "is not a valid regular expression" },
);

/**
 * Which resources add users or space: every field given must match (type exactly; name, URN and command text as
 * patterns).
 */
const ResourceMatcherSchema = z
  .object({
    type: z.string({ error: "must be a string (a resource type)" }).optional().describe("the resource type, exactly"),
    name: patternSchema.optional().describe("a regular expression the resource's name must match"),
    urn: patternSchema.optional().describe("a regular expression the resource's URN must match"),
    command: patternSchema
      .optional()
      .describe("a regular expression the resource's command text (its `create` or `update` input) must match"),
  })
  .strict();

/** A resource matcher: which resources add users or space. */
export type ResourceMatcher = z.output<typeof ResourceMatcherSchema>;

/**
 * A command text that adds KooDrive users or space: it calls KooDrive's users or space API (`/koodrive/ose/v1/users`,
 * `/users/{userId}`, `/users/batchimport/…`, `/user/expand/…`, `/space/{ownerId}`, `/space/group`, `/v2/space/…`,
 * whatever the version, the host or the tool), or it runs a script named for it (`./add-users.sh`, `add_spaces.py`).
 */
const ADDS_USERS_COMMAND = String.raw`koodrive/ose/v\d+/(users?|spaces?)\b|\badd[-_]?(users?|spaces?)\b`;

/**
 * The Commands, local or remote, whose command text adds users or space (what the README's and the examples'
 * Commands do), whatever their name.
 */
export const DEFAULT_ADDS_USERS: ResourceMatcher[] = [
  { type: "command:local:Command", command: ADDS_USERS_COMMAND },
  { type: "command:remote:Command", command: ADDS_USERS_COMMAND },
];

const allowAdvisory = z
  .boolean({ error: "must be true or false" })
  .default(false)
  .describe("accept a guard whose enforcement is advisory");

const allowAdvisoryProviders = z
  .boolean({ error: "must be true or false" })
  .default(false)
  .describe(
    "accept a guard whose enforcement is advisory, and a User or Space whose provider is (`koodrive:enforcement`)",
  );

const minimum = (what: string) => wholeNumberSchema().default(0).describe(what);

/** The config of each policy, by the policy's name. */
export const POLICY_CONFIG_SCHEMAS = {
  "koodrive-guard-required": z
    .object({
      addsUsers: z
        .array(ResourceMatcherSchema, { error: "must be a list of {type, name, urn} matchers" })
        .default(DEFAULT_ADDS_USERS)
        .describe(
          "the resources that add users or space: a resource matches a matcher when every field given matches (`type` exactly; `name`, `urn` and `command`, the command text of a `Command`'s `create` or `update`, as regular expressions); `User` and `Space` resources never need a guard",
        ),
      allowAdvisory,
    })
    .strict(),
  "koodrive-org-minimums": z
    .object({
      minFreeSeats: minimum(
        "the least `minFreeSeats` a guard, or the provider of a User or Space (`koodrive:minFreeSeats`), may set (0: no minimum)",
      ),
      minFreeGB: minimum(
        "the least `minFreeGB` a guard, or the provider of a User or Space (`koodrive:minFreeGB`), may set (0: no minimum)",
      ),
      minRunwayDays: minimum(
        "the least `minRunwayDays` a guard, or the provider of a User or Space (`koodrive:minRunwayDays`), may set (0: no minimum)",
      ),
      allowAdvisory: allowAdvisoryProviders,
    })
    .strict(),
  "koodrive-plans-fit": z
    .object({
      connection: ConnectionValuesSchema.optional().describe(
        'connection settings for the pack\'s reads, e.g. `{ "endpoint": "cn" }`, over the stack\'s `koodrive:*` config',
      ),
      minFreeSeats: minimum(
        "seats kept free after all the stack's guards' plans, when a guard keeps fewer; the least a User's or Space's provider must keep, mandatory",
      ),
      minFreeGB: minimum(
        "allocatable quota (GB) kept free after all the stack's guards' plans, when a guard keeps less; the least a User's or Space's provider must keep, mandatory",
      ),
    })
    .strict(),
} as const;

/** A policy's name. */
export type PolicyName = keyof typeof POLICY_CONFIG_SCHEMAS;

/** A policy's config, checked, with its defaults. */
export type PolicyConfig<P extends PolicyName> = z.output<(typeof POLICY_CONFIG_SCHEMAS)[P]>;

/**
 * A policy's config as CrossGuard hands it over (its `enforcementLevel` aside), checked: a `PolicyConfigError`
 * naming every offending key when it does not parse. (The engine itself checks the types against
 * `configJsonSchema` before the pack runs, but not the top-level keys.)
 */
export function parsePolicyConfig<P extends PolicyName>(policy: P, given: Record<string, unknown>): PolicyConfig<P> {
  const { enforcementLevel: _level, ...rest } = given ?? {};
  const parsed = POLICY_CONFIG_SCHEMAS[policy].safeParse(rest);
  if (!parsed.success) throw new PolicyConfigError(policy, describeIssues(parsed.error));
  return parsed.data as PolicyConfig<P>;
}

/**
 * The JSON schema of a policy's config, for CrossGuard's `configSchema`, derived from the zod schema: the engine shows
 * and checks the types; `parsePolicyConfig` also refuses unknown keys.
 */
export function configJsonSchema(policy: PolicyName): { properties: Record<string, object> } {
  const schema = z.toJSONSchema(POLICY_CONFIG_SCHEMAS[policy], { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, object>;
  };
  return { properties: schema.properties ?? {} };
}
