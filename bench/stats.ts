/** Small statistics for the benchmarks. */

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Rounds to `decimals` places. */
export function round(value: number, decimals = 2): number {
  return Number(value.toFixed(decimals));
}

/** The median of a set of samples and their range, so a reader can tell noise from a change. */
export interface Summary {
  median: number;
  min: number;
  max: number;
}

/** The median, minimum and maximum of `values`, rounded to `decimals` places. */
export function summarize(values: readonly number[], decimals = 0): Summary {
  return {
    median: round(median(values), decimals),
    min: round(Math.min(...values), decimals),
    max: round(Math.max(...values), decimals),
  };
}

/** Runs each variant once per round, in the same order, `rounds` times (A B C A B C …); returns the samples. */
export async function interleave<K extends string, T = number>(
  rounds: number,
  variants: Record<K, () => Promise<T>>,
): Promise<Record<K, T[]>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<K, T[]>;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) samples[name].push(await variants[name]());
  }
  return samples;
}
