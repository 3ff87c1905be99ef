/**
 * The tenant's history of readings, one for every stack and program that reads its figures: the
 * guards, `getServiceUsage`, the policy pack and `koodrive-usage` each add their reading, and the
 * runway is forecast from all of them. On this machine it is one JSON-lines file per tenant in the
 * project's cache folder (`history/<figures key>.jsonl`); each reading is appended as one line with a
 * single `O_APPEND` write, so writers in several processes never interleave, and a reader skips a torn
 * or malformed line. Readings are deduplicated as a `--history` file's are (a figure changed or a day
 * passed) and thinned to {@link MAX_READINGS}: past {@link COMPACT_AT_LINES} lines the file is
 * rewritten (to a temporary file, renamed over it) with the history it holds; a reading appended in
 * the same instant by another process may be lost then, and the next read adds one again.
 */
import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { appendReading, MAX_READINGS, type Reading } from "../capacity/runway";
import { historyValidator } from "../capacity/validators";
import { cacheFolder } from "../config/cache-folder";

/** Past this many lines, a history file is rewritten with the history it holds. */
export const COMPACT_AT_LINES = 4 * MAX_READINGS;

/** Where a tenant's readings are kept: this machine's files, a PostgreSQL table, a CI job's file. */
export interface HistoryBackend {
  /**
   * Adds `readings` to the history of the tenant `key` (each when it is new to it) and returns the
   * history, oldest first. Throws when the history cannot be read or written: the caller says so.
   */
  record(key: string, readings: readonly Reading[]): Promise<Reading[]>;
}

const timeOf = (reading: Reading): number => Date.parse(reading.takenAt);

/**
 * `readings` in any order as a history: oldest first, a reading kept when a figure changed or a day
 * passed since the one before, thinned to {@link MAX_READINGS} as `appendReading` thins.
 */
export function foldReadings(readings: Iterable<Reading>): Reading[] {
  const sorted = [...readings].sort((a, b) => timeOf(a) - timeOf(b));
  return sorted.reduce<Reading[]>((history, reading) => appendReading(history, reading), []);
}

/** One line of a JSON-lines history: its reading, or why it is not one. */
export type HistoryLine = { reading: Reading } | { problem: string };

/** Parses one line of a JSON-lines history (`--history` files and this machine's store alike). */
export function parseHistoryLine(line: string): HistoryLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { problem: "is not JSON" };
  }
  const parsed = historyValidator.safeParse([json]);
  if (parsed.success) return { reading: parsed.data[0] as Reading };
  const problem = parsed.error.issues[0];
  const where = problem?.path.slice(1).join(".") || "the line";
  return { problem: `is not a reading (${where}: ${problem?.message})` };
}

/** The readings of a JSON-lines text, and its line count; lines that are not readings are skipped. */
export function readingsOfText(text: string): { readings: Reading[]; lines: number } {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const readings = lines.flatMap((line) => {
    const parsed = parseHistoryLine(line);
    return "reading" in parsed ? [parsed.reading] : [];
  });
  return { readings, lines: lines.length };
}

/**
 * Which of `readings` a history holding `known` lacks: each at a time it does not hold yet that the
 * history keeps once it is added (a figure changed, or a day passed).
 */
export function newReadings(known: readonly Reading[], readings: readonly Reading[]): Reading[] {
  const times = new Set(known.map((reading) => reading.takenAt));
  const fresh = readings.filter((reading) => !times.has(reading.takenAt));
  if (fresh.length === 0) return [];
  const kept = new Set(foldReadings([...known, ...fresh]));
  return fresh.filter((reading) => kept.has(reading));
}

/** A history kept in JSON-lines files, one per tenant, in `folder` (the store of a machine, or a CI job's file). */
export class FileHistory implements HistoryBackend {
  /** `fileOf`: the file of a tenant's key; by default `<key>.jsonl` in `folder`. */
  constructor(
    readonly folder: string,
    readonly fileOf: (key: string) => string = (key) => path.join(folder, `${key}.jsonl`),
  ) {}

  /** The readings of the tenant `key` as its file holds them; none when it has no file. */
  async read(key: string): Promise<{ readings: Reading[]; lines: number; endsWithNewline: boolean }> {
    let text = "";
    try {
      text = await readFile(this.fileOf(key), "utf8");
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw error;
    }
    return { ...readingsOfText(text), endsWithNewline: text === "" || text.endsWith("\n") };
  }

  async record(key: string, readings: readonly Reading[]): Promise<Reading[]> {
    const file = this.fileOf(key);
    const found = await this.read(key);
    const adding = newReadings(found.readings, readings);
    const all = [...found.readings, ...adding];
    if (adding.length > 0) {
      await mkdir(path.dirname(file), { recursive: true });
      // One write of whole lines: appended at the end whatever other processes append meanwhile.
      const text = `${found.endsWithNewline ? "" : "\n"}${adding.map((reading) => `${JSON.stringify(reading)}\n`).join("")}`;
      await appendFile(file, text, { encoding: "utf8", mode: 0o600 });
    }
    const history = foldReadings(all);
    if (found.lines + adding.length > COMPACT_AT_LINES) await this.#rewrite(file, history);
    return history;
  }

  /** Replaces `file` with `history`, one line each: written aside, then renamed over it. */
  async #rewrite(file: string, history: readonly Reading[]): Promise<void> {
    const aside = `${file}.${randomUUID()}.tmp`;
    try {
      await writeFile(aside, history.map((reading) => `${JSON.stringify(reading)}\n`).join(""), { mode: 0o600 });
      await rename(aside, file);
    } finally {
      await rm(aside, { force: true });
    }
  }
}

/** A tenant's history as a run sees it: the readings, and the warning to say when it could not be kept. */
export interface RecordedHistory {
  /** Oldest first, this run's reading included. */
  history: Reading[];
  /** Said once per run: why the readings were not recorded (the forecast then rests on what could be read). */
  warning?: string;
}

/**
 * The histories of a run (one provider process, one CLI run): each read recorded in its tenant's
 * history through `backend`. When the backend fails, the run goes on with what it has (the readings
 * given) and says so once: a forecast is never a reason to fail a read.
 */
export class RunHistory {
  #warned = false;

  /** `where`: how messages name the backend ("the history in /home/me/.cache/pulumi-koodrive/history"). */
  constructor(
    readonly backend: HistoryBackend,
    readonly where: string,
  ) {}

  /** Records `readings` in the history of the tenant `key`; the history, with a warning the first time it fails in this run. */
  async record(key: string, readings: readonly Reading[]): Promise<RecordedHistory> {
    let history: Reading[];
    try {
      history = await this.backend.record(key, readings);
    } catch (error) {
      const why = (error as Error).message;
      return this.#warnOnce(
        foldReadings(readings),
        `could not record the KooDrive figures in ${this.where} (${why}); the runway is forecast from this run's reading alone, and this reading is not kept for later runs`,
      );
    }
    const missed = this.backend instanceof SharedHistory ? this.backend.takeMissed() : undefined;
    if (missed === undefined || !(this.backend instanceof SharedHistory)) return { history };
    return this.#warnOnce(
      history,
      `could not record the KooDrive figures in ${this.backend.where} (${missed}); the runway is forecast from this machine's history, and other machines do not see this run's readings`,
    );
  }

  /** The history, with `warning` the first time this run has one. */
  #warnOnce(history: Reading[], warning: string): RecordedHistory {
    if (this.#warned) return { history };
    this.#warned = true;
    return { history, warning };
  }
}

/**
 * Two histories as one: `kept` (a CI job's file, which the job keeps between runs) and `machine`
 * (this machine's, which starts empty on a fresh runner). A run's readings go to both, and the file's
 * readings join the machine's: the history is the two together.
 */
export class LayeredHistory implements HistoryBackend {
  constructor(
    readonly machine: HistoryBackend,
    readonly kept: HistoryBackend,
  ) {}

  async record(key: string, readings: readonly Reading[]): Promise<Reading[]> {
    return this.machine.record(key, await this.kept.record(key, readings));
  }
}

/**
 * This machine's history with one every machine shares (the lock server's): a run's readings go to
 * both, and the history is the two together. When the shared one fails, this machine's still holds
 * the reading, and {@link SharedHistory.takeMissed} says why the shared one does not.
 */
export class SharedHistory implements HistoryBackend {
  constructor(
    readonly machine: HistoryBackend,
    readonly shared: HistoryBackend & { close(): Promise<void> },
    readonly where: string,
  ) {}

  #missed: string | undefined;

  async record(key: string, readings: readonly Reading[]): Promise<Reading[]> {
    const local = await this.machine.record(key, readings);
    try {
      return foldReadings([...local, ...(await this.shared.record(key, local))]);
    } catch (error) {
      this.#missed = (error as Error).message;
      return local;
    }
  }

  /** Why the last readings did not reach the shared history, if they did not; said once. */
  takeMissed(): string | undefined {
    const missed = this.#missed;
    this.#missed = undefined;
    return missed;
  }
}

/** The variable naming a history file a CI job keeps between runs (its cache), for runners that start empty. */
export const HISTORY_FILE_VARIABLE = "KOODRIVE_HISTORY_FILE";

/**
 * The histories of this machine, in `folder` (by default `history` in the project's cache folder),
 * with the file `KOODRIVE_HISTORY_FILE` names in `env` when set: one tenant's readings, JSON lines,
 * as `koodrive-usage --history` keeps them.
 */
export function machineHistory(
  folder = path.join(cacheFolder(), "history"),
  env: Readonly<Record<string, string | undefined>> = process.env,
): RunHistory {
  const machine = new FileHistory(folder);
  const file = env[HISTORY_FILE_VARIABLE]?.trim();
  if (!file) return new RunHistory(machine, `the history in ${folder}`);
  const kept = new FileHistory(path.dirname(path.resolve(file)), () => path.resolve(file));
  return new RunHistory(new LayeredHistory(machine, kept), `the history in ${folder} and ${file}`);
}
