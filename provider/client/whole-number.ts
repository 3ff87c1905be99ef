import { z } from "zod";

/** "a whole number ≥ 0", or "a whole number from 1 to 100": the one wording of every whole-number rule. */
export function wholeNumberRange(min = 0, max = Number.MAX_SAFE_INTEGER): string {
  return max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
}

/** A zod number that must be a whole number from `min` to `max`, refused with one message: `must be …`. */
export function wholeNumberSchema(min = 0, max = Number.MAX_SAFE_INTEGER) {
  const error = `must be ${wholeNumberRange(min, max)}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** `value` when it is a whole number from `min` to `max`, else undefined. */
export function inWholeRange(value: number, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}

/** Plain digits (no sign, fraction or exponent) read as a whole number from `min` to `max`; else undefined. */
export function parseWholeNumber(text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return /^\d+$/.test(text) ? inWholeRange(Number(text), min, max) : undefined;
}
