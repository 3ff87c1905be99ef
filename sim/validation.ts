import type { z } from "zod";
import { ERROR_CODES, errorReply, type Reply } from "./replies";

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`,
    )
    .join("");
}

/**
 * Describes a zod error as `key: problem` clauses joined by `; `, naming every offending key
 * (`usage.userCount`, `apps[0].appId`; unknown keys as `usage.bogus: unknown key`).
 */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .flatMap((issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
      }
      return [`${formatPath(issue.path) || "(top level)"}: ${issue.message}`];
    })
    .join("; ");
}

/** Parses `value` with `schema`, throwing an Error that starts with `what` and names the bad keys. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${what}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/**
 * Wraps a handler that wants a validated JSON body: the body is parsed and checked with `schema` first, and a
 * 400 / 13000102 reply naming the problem is sent instead when it is not JSON or does not fit.
 */
export function withJsonBody<T, Context extends { rawBody: string }>(
  schema: z.ZodType<T>,
  handler: (body: T, context: Context) => Reply,
): (context: Context) => Reply {
  return (context) => {
    let json: unknown;
    try {
      json = JSON.parse(context.rawBody);
    } catch {
      return errorReply(400, ERROR_CODES.parameterInvalid, "parameter validation failed: the body is not valid JSON");
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      return errorReply(
        400,
        ERROR_CODES.parameterInvalid,
        `parameter validation failed: ${describeZodError(parsed.error)}`,
      );
    }
    return handler(parsed.data, context);
  };
}
