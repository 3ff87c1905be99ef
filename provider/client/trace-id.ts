import { randomBytes } from "node:crypto";

/** Length of the X-Traceid KooDrive expects (the reference's "58 bits" reads as 58 characters). */
export const TRACE_ID_LENGTH = 58;

/** A fresh random X-Traceid: 58 lowercase hex characters. */
export function newTraceId(): string {
  return randomBytes(TRACE_ID_LENGTH / 2).toString("hex");
}
