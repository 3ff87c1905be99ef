import { createHash } from "node:crypto";
import { callLimits } from "./call-limits";
import { unlessCancelled } from "./cancellation";
import { KooDriveClient } from "./client/client";
import {
  CONNECTION_KEYS,
  CONNECTION_SETTINGS,
  type ConnectionKey,
  type ConnectionValues,
  credentialKeys,
  settingPlaces,
} from "./client/connection-settings";
import type { Allocation, GuardShare } from "./client/plan";
import { newAllocation } from "./client/plan";
import type { KooDriveClientOptions, KooDriveConnectionArgs } from "./client/settings";
import type { GetServiceUsageResult } from "./client/usage";

/**
 * What the provider process keeps between calls, for the life of one run: the stack config, one read
 * of the figures per connection, and the ledger of the guards' new allocations. The process has one
 * (runtime.ts); a test creates a fresh one.
 */
export class ProviderState {
  /** The stack's `koodrive:*` config, secrets already decrypted. */
  #config: ConnectionValues = {};
  readonly #reads = new Map<string, Promise<GetServiceUsageResult>>();
  /**
   * The new allocation of every guard checked so far in this run, by connection and guard name. The
   * engine checks resources one after another in one provider process, so the guard checked last sees
   * every share; a guard checked again (preview, then update) replaces its share rather than adding it.
   */
  readonly #ledger = new Map<string, Map<string, Allocation>>();

  /** Keeps the stack's `koodrive:*` config for the rest of the run. */
  configure(config: { get(key: string): string | undefined }): void {
    this.#config = Object.fromEntries(CONNECTION_KEYS.map((key) => [key, config.get(CONNECTION_SETTINGS[key].config)]));
  }

  /**
   * The client's options for a resource's connection: each setting from the resource's arguments,
   * else from the stack config (credentials as a group from one of the two); the environment comes
   * last, in the client. A setting from the config is named as such in errors.
   */
  clientOptions(connection: KooDriveConnectionArgs): KooDriveClientOptions {
    const places = [connection, this.#config];
    const chosen = Object.entries(settingPlaces(places)) as [ConnectionKey, number][];
    const settingNames: Partial<Record<ConnectionKey, string>> = {};
    const options: KooDriveClientOptions = { settingNames };
    for (const [key, place] of chosen) {
      options[key] = places[place]?.[key];
      if (place === 1) settingNames[key] = CONNECTION_SETTINGS[key].config;
    }
    // Credentials from the config: the ones missing from their group are named as config keys too.
    if (credentialKeys().some((key) => settingNames[key])) {
      for (const key of credentialKeys()) settingNames[key] = CONNECTION_SETTINGS[key].config;
    }
    return options;
  }

  /** Which tenant a connection reaches: its settings and the stack config they fall back to. */
  connectionKey(connection: KooDriveConnectionArgs): string {
    return createHash("sha256")
      .update(JSON.stringify([connection, this.#config]))
      .digest("hex");
  }

  /** One quotaUsed request per connection for the whole run, however many resources ask. */
  readUsage(connection: KooDriveConnectionArgs): Promise<GetServiceUsageResult> {
    const key = this.connectionKey(connection);
    let read = this.#reads.get(key);
    if (!read) {
      read = (async () => {
        const client = new KooDriveClient({ ...this.clientOptions(connection), ...callLimits(process.env) });
        try {
          return await unlessCancelled(
            () => client.getServiceUsage(),
            () => client.close(),
          );
        } finally {
          await client.close();
        }
      })();
      this.#reads.set(key, read);
    }
    return read;
  }

  /** Records a guard's new allocation for its connection and returns the other guards' shares. */
  shareLedger(
    connection: KooDriveConnectionArgs,
    name: string,
    planned: Allocation,
    deployed: Allocation | undefined,
  ): GuardShare[] {
    const key = this.connectionKey(connection);
    const shares = this.#ledger.get(key) ?? new Map<string, Allocation>();
    this.#ledger.set(key, shares);
    shares.set(name, newAllocation(planned, deployed));
    return [...shares].filter(([other]) => other !== name).map(([other, allocation]) => ({ name: other, allocation }));
  }
}
