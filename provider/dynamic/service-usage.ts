/**
 * What a `ServiceUsage` record does in the provider process: its check reads the figures into the
 * state, adds the reading to its history and forecasts the runway from it. It shows an update
 * whenever the figures moved, and once a day to record a day without growth: recording them is what
 * it is for.
 */

import { recordReading, refreshRead } from "../guard/reading";
import { stableText, type Values } from "../process/protocol";
import type { ProviderState } from "../process/provider-state";
import { type ResourceMethods, readFigures, recordCreate, withoutCredentials } from "./dynamic-resource";

/** The provider methods of `ServiceUsage`, over the provider process's state. */
export function serviceUsageMethods(state: ProviderState): ResourceMethods {
  return {
    async check(olds: Values, news: Values) {
      const kept = withoutCredentials(news);
      const figures = await readFigures(state, news);
      if (figures.read === "pending") return { inputs: kept, failures: [] };
      if (figures.read === "failed") {
        const reason = `cannot read KooDrive usage: ${figures.error}`;
        return { inputs: kept, failures: [{ property: "connection", reason }] };
      }
      return { inputs: { ...kept, ...recordReading(olds, figures) }, failures: [] };
    },
    async diff(_id, olds, news) {
      return { changes: stableText(olds) !== stableText(news) };
    },
    create: recordCreate,
    read: refreshRead(state),
    async update(_id, _olds, news) {
      return { outs: news };
    },
  };
}
