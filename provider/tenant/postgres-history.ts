/**
 * The tenants' history in the PostgreSQL database `koodrive:lockUrl` names: the table
 * `koodrive.tenant_reading` of the lease's schema (postgres-schema.ts), one row per reading, so every
 * machine that sets the URL forecasts from the same readings. Readings are deduplicated and thinned as
 * this machine's history is (history.ts); past {@link COMPACT_AT_LINES} rows of a tenant, the rows its
 * history no longer holds are deleted.
 */
import type { Reading } from "../capacity/runway";
import { historyValidator } from "../capacity/validators";
import { COMPACT_AT_LINES, foldReadings, type HistoryBackend, newReadings } from "./history";
import { LockServer } from "./postgres-connection";
import { ensureSchema, READING_TABLE } from "./postgres-schema";

/** How long a history statement may take, in ms: a read of the figures never waits longer on the lock server. */
const HISTORY_TIMEOUT_MS = 5_000;

/** A history in the lock server's database. */
export class PostgresHistory implements HistoryBackend {
  readonly #server: LockServer;
  #schema: Promise<void> | undefined;

  /** `url`: the lock server's URL; `settingName`: how messages name it (`koodrive:lockUrl`). */
  constructor(url: string, settingName: string) {
    this.#server = new LockServer(url, settingName, {
      connectTimeoutMs: HISTORY_TIMEOUT_MS,
      queryTimeoutMs: HISTORY_TIMEOUT_MS,
      applicationName: "koodrive-history",
    });
  }

  async record(key: string, readings: readonly Reading[]): Promise<Reading[]> {
    this.#schema ??= ensureSchema(this.#server).catch((error) => {
      this.#schema = undefined;
      throw error;
    });
    await this.#schema;
    const rows = await this.#server.query<{ reading: unknown }>(
      `SELECT reading FROM ${READING_TABLE} WHERE tenant = $1 ORDER BY taken_at`,
      [key],
    );
    const known = rows.flatMap(({ reading }) => historyValidator.outputOf([reading]) ?? []);
    const adding = newReadings(known, readings);
    if (adding.length > 0) {
      await this.#server.query(
        `INSERT INTO ${READING_TABLE} (tenant, taken_at, reading)
         SELECT $1, (r->>'takenAt')::timestamptz, r FROM jsonb_array_elements($2::jsonb) AS r
         ON CONFLICT DO NOTHING`,
        [key, JSON.stringify(adding)],
      );
    }
    const history = foldReadings([...known, ...adding]);
    if (rows.length + adding.length > COMPACT_AT_LINES) {
      await this.#server.query(
        `DELETE FROM ${READING_TABLE} WHERE tenant = $1 AND NOT (taken_at = ANY($2::timestamptz[]))`,
        [key, history.map((reading) => reading.takenAt)],
      );
    }
    return history;
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return this.#server.close();
  }
}
