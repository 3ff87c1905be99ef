/**
 * What a `ServiceUsage` record does in the provider process: its check reads the figures into the
 * state and into the tenant's history, and forecasts the runway from that history. It shows an update
 * only when the figures moved: the runway (which moves as time passes) and the history stay out of
 * the comparison, so a stack whose tenant did not change passes `pulumi preview --expect-no-changes`.
 */

import { connectionOf, recordReading, refreshRead, withoutHistory } from "../guard/reading";
import type { LogSink } from "../process/engine-log";
import { stableText, type Values } from "../process/protocol";
import type { ProviderState } from "../process/provider-state";
import { type ResourceMethods, readFigures, recordCreate, withoutCredentials } from "./dynamic-resource";

/** What `diff` compares: the record's values without its history and runway. */
function compared(values: Values): Values {
  const usage = values.usage;
  if (usage === null || typeof usage !== "object") return withoutHistory(values);
  const { runway: _runway, ...figures } = usage as Values;
  return { ...withoutHistory(values), usage: figures };
}

/**
 * The provider methods of `ServiceUsage`, over the provider process's state. What it says (a history
 * that could not be recorded) goes to `log` for the stack: the record does not know its URN.
 */
export function serviceUsageMethods(state: ProviderState, log: LogSink): ResourceMethods {
  return {
    async check(olds: Values, news: Values) {
      const kept = withoutCredentials(news);
      const figures = await readFigures(state, news);
      if (figures.read === "pending") return { inputs: kept, failures: [] };
      if (figures.read === "failed") {
        const reason = `cannot read KooDrive usage: ${figures.error}`;
        return { inputs: kept, failures: [{ property: "connection", reason }] };
      }
      const { usage, warning } = await recordReading(state, connectionOf(news), olds, figures);
      if (warning) await log.write("", [{ severity: "warning", message: warning }]);
      return { inputs: { ...kept, usage }, failures: [] };
    },
    async diff(_id, olds, news) {
      return { changes: stableText(compared(olds)) !== stableText(compared(news)) };
    },
    create: recordCreate,
    read: refreshRead(state),
    async update(_id, _olds, news) {
      return { outs: news };
    },
  };
}
