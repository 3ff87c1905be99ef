import { appendFile, readFile } from "node:fs/promises";
import { isNewReading, type Reading } from "../provider/capacity/runway";
import { InvocationError } from "../provider/client/errors";
import { parseHistoryLine } from "../provider/tenant/history";

/** A `--history` file as read: its readings, and a warning for each line that is not one. */
export interface HistoryFile {
  readings: Reading[];
  /** `FILE line N: …` for each malformed line; such lines are skipped and left in the file as they are. */
  warnings: string[];
  /** False when the file is empty or ends without a newline (an interrupted write), so the next line starts on its own. */
  endsWithNewline: boolean;
}

function describeFailure(path: string, error: unknown): InvocationError {
  const code = (error as { code?: string }).code ?? (error as Error).message;
  return new InvocationError(`--history ${path}: cannot use the file (${code}); give a writable JSON-lines file`);
}

/** Reads the JSON-lines history at `path`; a missing file is an empty history. */
export async function readHistory(path: string): Promise<HistoryFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return { readings: [], warnings: [], endsWithNewline: true };
    throw describeFailure(path, error);
  }
  const readings: Reading[] = [];
  const warnings: string[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const parsed = parseHistoryLine(line);
    if ("reading" in parsed) readings.push(parsed.reading);
    else warnings.push(`${path} line ${index + 1} ${parsed.problem}; skipped, and left in the file as it is`);
  });
  return { readings, warnings, endsWithNewline: text === "" || text.endsWith("\n") };
}

/**
 * Appends `reading` as one line when a figure changed or a day has passed since the file's newest
 * reading, so that reruns do not crowd the file; the lines already there are never rewritten.
 * Returns the history the runway is forecast from.
 */
export async function appendToHistory(path: string, file: HistoryFile, reading: Reading): Promise<Reading[]> {
  if (!isNewReading(file.readings.at(-1), reading)) return file.readings;
  try {
    await appendFile(path, `${file.endsWithNewline ? "" : "\n"}${JSON.stringify(reading)}\n`, "utf8");
  } catch (error) {
    throw describeFailure(path, error);
  }
  return [...file.readings, reading];
}
