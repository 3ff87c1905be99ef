/** "a whole number ≥ 0", or "a whole number from 1 to 100": the one wording of every whole-number rule. */
export function wholeNumberRange(min = 0, max = Number.MAX_SAFE_INTEGER): string {
  return max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
}

/**
 * What refuses a number above `Number.MAX_SAFE_INTEGER`: past it a number no longer holds every whole
 * number (9007199254740993 reads as 9007199254740992), so the figure would not be the one written.
 */
export const BEYOND_SAFE_WHOLE_NUMBER = `is beyond the largest safe whole number, ${Number.MAX_SAFE_INTEGER}`;

/**
 * What is wrong with `value` as a whole number from `min` to `max`, as a predicate (`must be a whole
 * number ≥ 0`, or `is beyond the largest safe whole number, …` when no `max` is set and it is a whole
 * number past the safe range); undefined when it is one.
 */
export function wholeNumberProblem(value: number, min = 0, max = Number.MAX_SAFE_INTEGER): string | undefined {
  if (inWholeRange(value, min, max) !== undefined) return undefined;
  const beyondSafe = max === Number.MAX_SAFE_INTEGER && Number.isInteger(value) && value > max;
  return beyondSafe ? BEYOND_SAFE_WHOLE_NUMBER : `must be ${wholeNumberRange(min, max)}`;
}

/** `value` when it is a whole number from `min` to `max`, else undefined. */
export function inWholeRange(value: number, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}

/** Plain digits (no sign, fraction or exponent) read as a whole number from `min` to `max`; else undefined. */
export function parseWholeNumber(text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return /^\d+$/.test(text) ? inWholeRange(Number(text), min, max) : undefined;
}

/**
 * A string of plain digits as its number, anything else as it is: gateways sometimes quote long
 * integers. What the quotaUsed figures' schema reads before it checks the whole number.
 */
export function digitsAsNumber(value: unknown): unknown {
  return typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
}
