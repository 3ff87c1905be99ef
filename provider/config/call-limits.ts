/**
 * The limits of each KooDrive call the provider makes, from the environment of `pulumi` (and so of
 * the provider process): `KOODRIVE_TIMEOUT_MS` per attempt and `KOODRIVE_DEADLINE_MS` for the whole
 * call. The client's defaults (10 s, 33 s) apply when they are unset.
 */
import { ConfigurationError } from "../client/errors";
import { type KooDriveClientOptions, MAX_DELAY_MS } from "./settings";

/** The environment variable behind each limit. */
export const CALL_LIMIT_VARIABLES = { timeoutMs: "KOODRIVE_TIMEOUT_MS", deadlineMs: "KOODRIVE_DEADLINE_MS" } as const;

/** The limits set in `env`; throws a `ConfigurationError` naming the variable when one is not a whole number of ms. */
export function callLimits(
  env: Readonly<Record<string, string | undefined>>,
): Pick<KooDriveClientOptions, "timeoutMs" | "deadlineMs"> {
  const limits: Pick<KooDriveClientOptions, "timeoutMs" | "deadlineMs"> = {};
  for (const [key, name] of Object.entries(CALL_LIMIT_VARIABLES) as [keyof typeof CALL_LIMIT_VARIABLES, string][]) {
    const text = env[name]?.trim();
    if (!text) continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < 1 || value > MAX_DELAY_MS) {
      throw new ConfigurationError(
        `invalid ${name}`,
        `"${text}" is not a whole number of ms from 1 to ${MAX_DELAY_MS}`,
      );
    }
    limits[key] = value;
  }
  return limits;
}
