/**
 * The ledger of one deployment: the new allocation of every guard checked so far, per tenant, so that
 * the guards of a tenant are judged together, whatever their spelling of the connection and whichever
 * provider (process) serves them. A guard's slot is its URN: checked again (preview, then update), it
 * replaces its share instead of adding it.
 *
 * The engine runs each provider in a process of its own (the dynamic providers share one; each
 * provider of the plugin has one). The first process of a deployment to ask hosts the ledger on a
 * local socket named after the deployment; the others ask it there.
 */
import type net from "node:net";
import type { Allocation, GuardShare } from "../capacity/plan";
import { answerLines, askLocal, listenExclusively, machineScope, socketPath } from "./local-lock";

/** A guard's entry: its slot, its name in messages and its new allocation. */
export interface LedgerEntry {
  urn: string;
  name: string;
  allocation: Allocation;
}

interface ShareRequest {
  tenant: string;
  entry: LedgerEntry;
}

/** The ledger itself, in the process that hosts it. */
class Shares {
  readonly #byTenant = new Map<string, Map<string, LedgerEntry>>();

  /** Records `entry` for `tenant`; the other guards' shares of that tenant. */
  share({ tenant, entry }: ShareRequest): GuardShare[] {
    const entries = this.#byTenant.get(tenant) ?? new Map<string, LedgerEntry>();
    this.#byTenant.set(tenant, entries);
    entries.set(entry.urn, entry);
    return [...entries.values()]
      .filter((other) => other.urn !== entry.urn)
      .map((other) => ({ name: other.name, allocation: other.allocation }));
  }
}

/** The ledger of the deployment `deployment` (an id every process of the deployment computes alike). */
export class DeploymentLedger {
  readonly #where: string;
  #hosted: { shares: Shares; server: net.Server } | undefined;

  /** `scope`: this machine's (the default), or one of a test's own. */
  constructor(deployment: string, scope: string = machineScope()) {
    this.#where = socketPath(`ledger-${deployment}`, scope);
  }

  /** Records a guard's new allocation for its tenant and returns the other guards' shares. */
  async share(tenant: string, entry: LedgerEntry): Promise<GuardShare[]> {
    const request: ShareRequest = { tenant, entry };
    for (;;) {
      if (this.#hosted) return this.#hosted.shares.share(request);
      const answer = await askLocal<GuardShare[]>(this.#where, request);
      if (Array.isArray(answer)) return answer;
      // Nobody hosts it yet (or its host ended): host it here.
      const shares = new Shares();
      const server = await listenExclusively(this.#where, (socket) =>
        answerLines(socket, (asked) => shares.share(asked as ShareRequest)),
      );
      if (server) {
        server.unref();
        this.#hosted = { shares, server };
      }
    }
  }

  /** Stops hosting (tests; a provider process ends with its deployment). */
  async close(): Promise<void> {
    const server = this.#hosted?.server;
    this.#hosted = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
