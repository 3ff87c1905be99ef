import type { z } from "zod";
import { SimulatorInputError } from "../provider/client/errors";
import { describeIssues } from "../provider/client/zod-issues";
import { ERROR_CODES, errorReply, type Reply } from "./replies";

/** Parses `value` with `schema`, throwing a `SimulatorInputError` that starts with `what` and names the bad keys. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SimulatorInputError(what, describeIssues(parsed.error));
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
        `parameter validation failed: ${describeIssues(parsed.error)}`,
      );
    }
    return handler(parsed.data, context);
  };
}
