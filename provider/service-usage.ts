/** What a `ServiceUsage` record does in the provider process: its check reads the figures into the state. */
import type { ProviderState } from "./provider-state";
import {
  type CheckResult,
  connectionOf,
  containsUnknown,
  type Inputs,
  type ResourceMethods,
  readError,
  recordedState,
  refreshRead,
  withoutCredentials,
} from "./resource-inputs";

async function check(state: ProviderState, news: Inputs): Promise<CheckResult> {
  const kept = withoutCredentials(news);
  if (containsUnknown(news.connection)) return { inputs: kept, failures: [] };
  try {
    const usage = await state.readUsage(connectionOf(news));
    return { inputs: { ...kept, usage }, failures: [] };
  } catch (error) {
    return {
      inputs: kept,
      failures: [{ property: "connection", reason: `cannot read KooDrive usage: ${readError(error)}` }],
    };
  }
}

/** The provider methods of `ServiceUsage`, over the provider process's state. */
export function serviceUsageMethods(state: ProviderState): ResourceMethods {
  return { ...recordedState, check: (_olds, news) => check(state, news), read: refreshRead(state) };
}
