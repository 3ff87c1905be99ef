import { readdir, readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { z } from "zod";
import { FixtureError } from "../provider/client/errors";
import { REDACTED_HEADER, type RecordingFile } from "../provider/client/recording";
import { describeIssues } from "../provider/client/zod-issues";
import { ERROR_CODES, errorReply, type Reply } from "./replies";

const HeadersSchema = z.record(z.string(), z.string());

/** A recording's file, as `koodrive-usage --record` writes it (provider/client/recording.ts). */
const RecordingFileSchema = z.object({
  recordedBy: z.string(),
  recordedAt: z.string(),
  answer: z.object({
    request: z.object({
      line: z.string().regex(/^[A-Z]+ \/\S*$/, 'must be "METHOD /path", e.g. "GET /koodrive/ose/v1/service"'),
      headers: HeadersSchema,
    }),
    response: z.object({
      status: z.number().int().min(100).max(599),
      headers: HeadersSchema,
      body: z.string(),
    }),
  }),
}) satisfies z.ZodType<RecordingFile>;

/** One recorded answer, by the request line it answers. */
interface ReplayedAnswer {
  file: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

// Headers that describe the recorded connection, not the answer; Node sets its own. Redacted ones carry nothing.
const NOT_REPLAYED = new Set(["content-length", "transfer-encoding", "connection", "keep-alive"]);

/**
 * Reads every `*.json` file of a recording folder: one answer each, by request line. Throws a
 * `FixtureError` naming the file and the key for a file that is not a recording, naming both files
 * for two answers to one request line, and for a folder without any.
 */
export async function loadRecording(dir: string): Promise<Map<string, ReplayedAnswer>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith(".json")).sort();
  } catch (error) {
    throw new FixtureError(`cannot read the recording ${dir}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (names.length === 0) {
    throw new FixtureError(
      `no recording in ${dir}: it holds no .json file (koodrive-usage --record ${dir} makes them)`,
    );
  }
  const answers = new Map<string, ReplayedAnswer>();
  for (const name of names) {
    const file = join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new FixtureError(`invalid recording ${file}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = RecordingFileSchema.safeParse(json);
    if (!parsed.success) throw new FixtureError(`invalid recording ${file}: ${describeIssues(parsed.error)}`);
    const { request, response } = parsed.data.answer;
    const earlier = answers.get(request.line);
    if (earlier) {
      throw new FixtureError(`${earlier.file} and ${file} both answer ${request.line}; keep one of them`);
    }
    const headers = Object.fromEntries(
      Object.entries(response.headers).filter(
        ([header, value]) => !NOT_REPLAYED.has(header.toLowerCase()) && value !== REDACTED_HEADER,
      ),
    );
    answers.set(request.line, { file, status: response.status, headers, body: response.body });
  }
  return answers;
}

/** The 404 for a request the recording has no answer to, naming what it does answer. */
function unrecordedReply(line: string, dir: string, answers: Map<string, ReplayedAnswer>): Reply {
  return errorReply(
    404,
    ERROR_CODES.notFound,
    `koodrive-sim --replay: no recorded answer to ${line} in ${dir}; it answers ${[...answers.keys()].join(", ")}`,
  );
}

/** A running replay. */
export interface Replay {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

/**
 * Serves a recording (`koodrive-usage --record DIR`) on loopback: each request whose line (method, path
 * and query) was recorded gets the recorded status, headers (its `Date` included) and body, whatever
 * its credentials; any other gets 404 naming the lines it does answer.
 */
export async function startReplay(options: { dir: string; host?: string; port?: number }): Promise<Replay> {
  const { dir } = options;
  const answers = await loadRecording(dir);
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const line = `${request.method ?? "GET"} ${request.url ?? "/"}`;
    const answer = answers.get(line);
    request.resume();
    if (answer) {
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
      return;
    }
    const reply = unrecordedReply(line, dir, answers);
    response.writeHead(reply.status, { "content-type": reply.contentType });
    response.end(reply.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, family, port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${family === "IPv6" ? `[${address}]` : address}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
