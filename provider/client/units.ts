import { ConfigurationError } from "./errors";
import type { SameType } from "./same-type";

/** A unit of `spaceUsed` and its per-pool counterparts. */
export type UsedSpaceUnit = "B" | "KB" | "MB" | "GB";

/** The units `spaceUsed` may be reported in; the API reference does not say which one it uses. */
export const USED_SPACE_UNITS = ["B", "KB", "MB", "GB"] as const satisfies readonly UsedSpaceUnit[];

// Compile-time check: USED_SPACE_UNITS lists every unit.
const everyUnit: SameType<(typeof USED_SPACE_UNITS)[number], UsedSpaceUnit> = true;
void everyUnit;

/** KB: related KooDrive usage APIs report KB, so it is the most likely reading of `spaceUsed`. */
export const DEFAULT_USED_SPACE_UNIT: UsedSpaceUnit = "KB";

const BYTES_PER_UNIT: Record<UsedSpaceUnit, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Parses a unit name, any case; undefined falls back to the default. */
export function parseUsedSpaceUnit(value: string | undefined, source = "usedSpaceUnit"): UsedSpaceUnit {
  if (value === undefined || value.trim() === "") return DEFAULT_USED_SPACE_UNIT;
  const unit = value.trim().toUpperCase();
  if ((USED_SPACE_UNITS as readonly string[]).includes(unit)) return unit as UsedSpaceUnit;
  throw new ConfigurationError(`invalid ${source}`, `"${value}" is not one of ${USED_SPACE_UNITS.join(", ")}`);
}

/** Converts an amount in `unit` to GB (1 GB = 1024³ bytes). */
export function toGB(amount: number, unit: UsedSpaceUnit): number {
  return (amount * BYTES_PER_UNIT[unit]) / BYTES_PER_UNIT.GB;
}
