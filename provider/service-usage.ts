/** What a `ServiceUsage` record does in the provider process: its check reads the figures into the state. */
import type { ProviderState } from "./provider-state";
import { type Inputs, type ResourceMethods, readFigures, resourceMethods, withoutCredentials } from "./resource-inputs";

/** The provider methods of `ServiceUsage`, over the provider process's state. */
export function serviceUsageMethods(state: ProviderState): ResourceMethods {
  return resourceMethods(state, async (_olds: Inputs, news: Inputs) => {
    const kept = withoutCredentials(news);
    const figures = await readFigures(state, news);
    if (figures.read === "pending") return { inputs: kept, failures: [] };
    if (figures.read === "failed") {
      const reason = `cannot read KooDrive usage: ${figures.error}`;
      return { inputs: kept, failures: [{ property: "connection", reason }] };
    }
    return { inputs: { ...kept, usage: figures.usage }, failures: [] };
  });
}
