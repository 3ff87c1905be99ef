const BLOCKS = "▁▂▃▄▅▆▇█";

/** A one-line chart of `values`, lowest ▁ to highest █; all-equal values give a flat ▁ line. */
export function sparkline(values: readonly number[]): string {
  const low = Math.min(...values);
  const span = Math.max(...values) - low;
  return values
    .map((value) => BLOCKS[span === 0 ? 0 : Math.round(((value - low) / span) * (BLOCKS.length - 1))])
    .join("");
}
