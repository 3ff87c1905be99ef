import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InvocationError } from "../provider/client/errors";
import type { AnswerObserver, RecordedAnswer, RecordingFile } from "../provider/client/recording";
import { PACKAGE_VERSION } from "../provider/client/version";

/** The file an answer is kept in: its request line made a file name, e.g. `GET-koodrive-ose-v1-service-quotaUsed.json`. */
function recordingFileName(line: string): string {
  return `${line.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/-+$/, "")}.json`;
}

/** What `--record DIR` keeps while the command runs, and writes at its end. */
export interface Recording {
  /** The folder the files go to. */
  dir: string;
  /** Hands the client's answers to the recording; the last answer to a request line is the one kept. */
  observe: AnswerObserver;
  /** Writes one file per request line into the folder; returns the files' names. */
  save(): Promise<string[]>;
}

/**
 * Starts a recording into `dir`, made if missing, before anything is sent: a folder that cannot be made
 * is an `InvocationError` (exit 2, nothing sent). Files of the same name are replaced; others are left.
 */
export async function startRecording(dir: string): Promise<Recording> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new InvocationError(`--record ${dir}: cannot make the folder (${code}); name a folder you may write`);
  }
  const answers = new Map<string, RecordingFile>();
  return {
    dir,
    observe(answer: RecordedAnswer) {
      answers.set(answer.request.line, {
        recordedBy: `koodrive-usage ${PACKAGE_VERSION}`,
        recordedAt: new Date().toISOString(),
        answer,
      });
    },
    async save() {
      const names: string[] = [];
      for (const [line, file] of answers) {
        const name = recordingFileName(line);
        await writeFile(join(dir, name), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
        names.push(name);
      }
      return names;
    },
  };
}
