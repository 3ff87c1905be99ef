/** The exit codes of `koodrive-usage`; `--help` and docs/_index.md list the same. */
export const EXIT_CODES = {
  /** Usage read; the plan, if any, fits. */
  ok: 0,
  /** The plan exceeds capacity, or a figure runs out within `--min-runway-days`. */
  planExceeded: 1,
  /** Bad flags or configuration; nothing was sent. */
  badInvocation: 2,
  /** The usage could not be read: network, timeout, authentication, service error, invalid response. */
  usageUnreadable: 3,
} as const;
