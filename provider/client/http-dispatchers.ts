/**
 * The client's way to undici: a direct `Agent`, or a `ProxyAgent` when a proxy is configured, on
 * which requests go through the `Dispatcher` API (`dispatcher.request`).
 *
 * They are loaded from undici's own modules, not its index: the index also loads fetch, WebSocket,
 * the caches, the mocks and the interceptors, which the provider process never uses and which were
 * two thirds of undici's load time there (BENCHMARKS.md). The one thing the index does that these
 * classes need, putting the request API (`request`, `connect`, …) on `Dispatcher.prototype`, is done
 * here the same way. Should an undici release move these modules, the index is used instead, so an
 * upgrade costs load time, never a failure; `test/client/http-dispatchers.test.ts` fails when the
 * installed undici no longer has them. The module names are literal `require`s so that the plugin's
 * single-file build (`npm run dist`) bundles these modules too.
 */
import type * as Undici from "undici";

type AgentClass = typeof Undici.Agent;
type ProxyAgentClass = typeof Undici.ProxyAgent;

/** What `load` gets from undici's own modules, or from its index should a release have moved them. */
function fromModules<T>(load: () => T, fromIndex: (undici: typeof Undici) => T): T {
  try {
    return load();
  } catch (error) {
    if ((error as { code?: unknown }).code !== "MODULE_NOT_FOUND") throw error;
    return fromIndex(require("undici") as typeof Undici);
  }
}

/** undici's `Agent`, with the request API on every dispatcher. */
export const Agent: AgentClass = fromModules(
  () => {
    const dispatcher = require("undici/lib/dispatcher/dispatcher") as typeof Undici.Dispatcher;
    Object.assign(dispatcher.prototype, require("undici/lib/api"));
    return require("undici/lib/dispatcher/agent") as AgentClass;
  },
  (undici) => undici.Agent,
);

/** undici's `ProxyAgent`, loaded on first use: most runs have no proxy. */
export function proxyAgentClass(): ProxyAgentClass {
  return fromModules(
    () => require("undici/lib/dispatcher/proxy-agent") as ProxyAgentClass,
    (undici) => undici.ProxyAgent,
  );
}
