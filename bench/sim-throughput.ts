import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Pool } from "undici";
import { QUOTA_USED_PATH } from "../provider/client/quota-used";
import { DEMO_TOKEN } from "../sim";

/** The outcome of a throughput run. */
export interface ThroughputResult {
  /** Successful quotaUsed answers per second. */
  requestsPerSecond: number;
  /** Successful answers (HTTP 200, code 0). */
  requests: number;
  /** Requests that failed or answered anything else. */
  errors: number;
  connections: number;
  durationMs: number;
}

/**
 * Measures how many token-authenticated quotaUsed requests per second the simulator answers on loopback.
 * The simulator runs in a child process (the `koodrive-sim` CLI), so the load generator does not share its
 * event loop; `connections` loops each keep one request in flight over an undici Pool of that many connections.
 */
export async function measureSimulatorThroughput({
  connections = 50,
  durationMs = 5000,
}: {
  connections?: number;
  durationMs?: number;
} = {}): Promise<ThroughputResult> {
  const child = spawn(process.execPath, [join(__dirname, "..", "sim", "cli.js"), "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, "line")) as [string];
    lines.close();
    const origin = line.replace(/^listening on /, "");
    const pool = new Pool(origin, { connections });
    let requests = 0;
    let errors = 0;
    const deadline = performance.now() + durationMs;
    const loop = async () => {
      while (performance.now() < deadline) {
        try {
          const { statusCode, body } = await pool.request({
            method: "GET",
            path: QUOTA_USED_PATH,
            headers: { authorization: `Bearer ${DEMO_TOKEN}` },
          });
          const answer = (await body.json()) as { code?: unknown };
          if (statusCode === 200 && answer.code === 0) requests += 1;
          else errors += 1;
        } catch {
          errors += 1;
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: connections }, loop));
    const elapsedMs = performance.now() - started;
    await pool.close();
    return {
      requestsPerSecond: Math.round((requests * 1000) / elapsedMs),
      requests,
      errors,
      connections,
      durationMs: Math.round(elapsedMs),
    };
  } finally {
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  }
}

if (require.main === module) {
  measureSimulatorThroughput().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
