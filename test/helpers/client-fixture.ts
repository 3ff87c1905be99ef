import type { KooDriveClientOptions } from "../../provider/config/settings";
import { KooDriveClient } from "../../sdk/nodejs/client";
import { type LoopbackServer, type Responder, startLoopbackServer } from "./loopback-server";
import { TEST_APP, TEST_TOKEN } from "./secrets";

/** Starts servers and clients for the tests of the enclosing `describe`, and closes them after each test. */
export function useLoopbackClients() {
  const servers: LoopbackServer[] = [];
  const clients: KooDriveClient[] = [];
  afterEach(async () => {
    await Promise.all([...clients.splice(0).map((c) => c.close()), ...servers.splice(0).map((s) => s.close())]);
  });

  /** A client isolated from the process environment, with near-zero backoff unless told otherwise. */
  function client(options: KooDriveClientOptions): KooDriveClient {
    const created = new KooDriveClient({ env: {}, retryBaseDelayMs: 1, ...options });
    clients.push(created);
    return created;
  }

  return {
    /** A loopback server answering with `responders` in turn (see `startLoopbackServer`). */
    async server(...responders: Responder[]): Promise<LoopbackServer> {
      const started = await startLoopbackServer(...responders);
      servers.push(started);
      return started;
    },
    client,
    /** A client of `url` with token authentication (TEST_TOKEN). */
    tokenClient: (url: string, options: KooDriveClientOptions = {}) =>
      client({ endpoint: url, accessToken: TEST_TOKEN, ...options }),
    /** A client of `url` with app authentication (TEST_APP). */
    appClient: (url: string, options: KooDriveClientOptions = {}) => client({ endpoint: url, ...TEST_APP, ...options }),
  };
}
