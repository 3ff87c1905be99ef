/**
 * Checks generated from the zod schemas (validators.ts, `npm run validators`), for the provider
 * process: loading zod was most of the runtime's load (BENCHMARKS.md). A generated check accepts and
 * refuses what its schema does and returns the same output; only when it refuses is the schema's module,
 * and with it zod, loaded, to say what is wrong in the schema's own words.
 */
import type { z } from "zod";

/** What a generated check returns for a value its schema refuses. */
export const INVALID: unique symbol = Symbol("invalid");

/** A generated check: the schema's output, or `INVALID`. */
export type Check = (input: unknown) => unknown;

/** Objects as zod reads them: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A schema, checked without zod where the input is valid. */
export interface Validator<S extends z.ZodType> {
  /** The generated check alone (the tests hold it to the schema). */
  check: Check;
  /** As the schema's `safeParse`: its output, or the schema's own error (zod loaded for it). */
  safeParse(input: unknown): z.ZodSafeParseResult<z.output<S>>;
  /** The schema's output, or undefined when it refuses the input: for callers that need no reason (zod stays unloaded). */
  outputOf(input: unknown): z.output<S> | undefined;
}

/** The validator of the schema `load` returns (a `require` of its module), by the check generated from it. */
export function validator<S extends z.ZodType>(check: Check, load: () => S): Validator<S> {
  return {
    check,
    safeParse(input) {
      const output = check(input);
      if (output !== INVALID) return { success: true, data: output as z.output<S> };
      return load().safeParse(input);
    },
    outputOf(input) {
      const output = check(input);
      return output === INVALID ? undefined : (output as z.output<S>);
    },
  };
}
