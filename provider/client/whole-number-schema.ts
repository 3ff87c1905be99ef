import { z } from "zod";
import { digitsAsNumber, wholeNumberProblem, wholeNumberRange } from "./whole-number";

/**
 * A zod number that must be a whole number from `min` to `max`, refused with one message: the
 * `wholeNumberProblem` of the value. Each check stops the others, so a refused number gets one issue.
 */
export function wholeNumberSchema(min = 0, max = Number.MAX_SAFE_INTEGER) {
  const rule = `must be ${wholeNumberRange(min, max)}`;
  const error = (issue: { input?: unknown }) =>
    (typeof issue.input === "number" ? wholeNumberProblem(issue.input, min, max) : undefined) ?? rule;
  return z.number({ error: rule }).int({ error, abort: true }).min(min, { error, abort: true }).max(max, { error });
}

/**
 * A whole number ≥ 0 as KooDrive sends figures: a number, or a string of digits read as its number (the
 * reference types many numeric fields as String). One beyond the largest safe whole number is refused.
 */
export function figureSchema() {
  return z.preprocess(digitsAsNumber, wholeNumberSchema());
}
