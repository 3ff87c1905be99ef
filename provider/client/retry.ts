/** When to try again, and how long to wait first. */

/** HTTP statuses worth another attempt: overload, gateway trouble, rate limiting. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Exponential backoff with full jitter: a random wait in [0, base × 2^retry). */
export function backoffDelayMs(retry: number, baseDelayMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * baseDelayMs * 2 ** retry);
}

/** The wait a `Retry-After` header asks for (seconds or an HTTP date), in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
