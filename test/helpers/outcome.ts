/** The outcome of a Pulumi run under the Automation API, failed or not. */

/** The outcome of a run: its output, and whether it succeeded. */
export async function outcome(
  run: Promise<{ stdout: string; stderr: string }>,
): Promise<{ ok: boolean; text: string }> {
  try {
    const result = await run;
    return { ok: true, text: [result.stdout, result.stderr].join("\n") };
  } catch (error) {
    return { ok: false, text: String((error as Error).message) };
  }
}
