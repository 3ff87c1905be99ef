/**
 * The ledger of one deployment: the new allocation of every guard checked so far, per tenant, so that
 * the guards of a tenant are judged together, whatever their spelling of the connection and whichever
 * provider (process) serves them. A guard's slot is its URN: checked again (preview, then update), it
 * replaces its share instead of adding it. It also counts the seats the deployment admitted to each
 * tenant under its lock (`User` creates), so that no create admits more than the figures read under it.
 *
 * It also keeps which tenants the deployment holds, and since when it deploys (when one of its
 * processes first went for a tenant), so that a process waiting for a tenant knows what the others
 * hold (hold.ts: a deployment that holds a tenant gives way to an older one).
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
  /** The tenant's keys (`TenantIdentity.lockKeys`): guards that share any of them are of one tenant. */
  keys: string[];
  entry: LedgerEntry;
}

/** What sharing an entry answers: how messages name its guard, and the other guards' shares of the tenant. */
export interface LedgerShares {
  /** The guard's name, or, when another guard of the tenant has that name too, the name with its parent or URN. */
  label: string;
  others: GuardShare[];
}

/** The parent types of a URN's resource (`my:index:Team` of `…::my:index:Team$koodrive:index:CapacityGuard::name`), if any. */
function parentOf(urn: string): string | undefined {
  const chain = (urn.split("::")[2] ?? "").split("$");
  return chain.length > 1 ? chain.slice(0, -1).join("$") : undefined;
}

/**
 * How messages name `entry` among `entries`: its name, unless another guard has it too; then its
 * parent ("onboarding under my:index:Team", "onboarding under the stack"), or, when the parents are
 * alike too, its URN.
 */
export function guardLabel(entry: LedgerEntry, entries: readonly LedgerEntry[]): string {
  const namesakes = entries.filter((other) => other.name === entry.name && other.urn !== entry.urn);
  if (namesakes.length === 0) return entry.name;
  const parent = parentOf(entry.urn);
  if (namesakes.some((other) => parentOf(other.urn) === parent)) return `${entry.name} (${entry.urn})`;
  return `${entry.name} under ${parent ?? "the stack"}`;
}

/** A tenant the deployment holds: its key, and its label in messages. */
export interface HeldTenantName {
  key: string;
  label: string;
}

/** What the deployment holds, and since when it deploys (ISO 8601): its age. */
export interface Holdings {
  since: string;
  held: HeldTenantName[];
}

/** A process's word on the deployment's holdings: when it first went for a tenant, and one it took, if any. */
interface HoldingRequest {
  since: string;
  held?: HeldTenantName;
}

interface AdmitRequest {
  tenant: string;
  admit: SeatAdmission;
}

/** A create that asks for seats: its slot, the seats it takes, and the free seats read under the tenant's lock. */
export interface SeatAdmission {
  urn: string;
  seats: number;
  free: number;
}

/** What admitting answers: whether the seats fit, and how many this deployment admitted to the tenant before. */
export interface Admitted {
  admitted: boolean;
  before: number;
}

type LedgerRequest = ShareRequest | HoldingRequest | AdmitRequest;

/** The ledger itself, in the process that hosts it. */
class Shares {
  /** Every guard's entry and its tenant's keys, by URN. */
  readonly #entries = new Map<string, ShareRequest>();
  readonly #held = new Map<string, HeldTenantName>();
  #since: string | undefined;
  /** The seats admitted per tenant, by the slot that took them (admitted again, a slot takes nothing more). */
  readonly #admitted = new Map<string, Map<string, number>>();

  /** Records what a process says of its holdings (the first `since` stands); the deployment's holdings. */
  holding({ since, held }: HoldingRequest): Holdings {
    this.#since ??= since;
    if (held) this.#held.set(held.key, held);
    return { since: this.#since, held: [...this.#held.values()] };
  }

  /** Admits `admit.seats` for `tenant` when they fit in `admit.free` beside what was admitted before. */
  admit({ tenant, admit }: AdmitRequest): Admitted {
    const taken = this.#admitted.get(tenant) ?? new Map<string, number>();
    this.#admitted.set(tenant, taken);
    const own = taken.get(admit.urn) ?? 0;
    const before = [...taken.values()].reduce((sum, seats) => sum + seats, 0) - own;
    if (own >= admit.seats) return { admitted: true, before };
    if (before + admit.seats > admit.free) return { admitted: false, before };
    taken.set(admit.urn, admit.seats);
    return { admitted: true, before };
  }

  /** Answers a request of any kind. */
  answer(request: LedgerRequest): LedgerShares | Holdings | Admitted {
    if ("entry" in request) return this.share(request);
    return "admit" in request ? this.admit(request) : this.holding(request);
  }

  /**
   * Records `entry` under its tenant's `keys`; its label and the shares of the other guards of its
   * tenant: those whose keys meet its own, directly or through other guards (a guard under a tenant
   * name and its id joins the guards of either).
   */
  share({ keys, entry }: ShareRequest): LedgerShares {
    this.#entries.set(entry.urn, { keys, entry });
    const tenant = new Set(keys);
    const rest = new Set(this.#entries.values());
    for (let grew = true; grew; ) {
      grew = false;
      for (const other of rest) {
        if (!other.keys.some((key) => tenant.has(key))) continue;
        for (const key of other.keys) tenant.add(key);
        rest.delete(other);
        grew = true;
      }
    }
    const all = [...this.#entries.values()].filter((other) => !rest.has(other)).map((other) => other.entry);
    return {
      label: guardLabel(entry, all),
      others: all
        .filter((other) => other.urn !== entry.urn)
        .map((other) => ({ name: guardLabel(other, all), allocation: other.allocation })),
    };
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

  /** Records a guard's new allocation under its tenant's keys; its label and the other guards' shares of that tenant. */
  share(keys: readonly string[], entry: LedgerEntry): Promise<LedgerShares> {
    const answered = (value: unknown) => Array.isArray((value as LedgerShares | undefined)?.others);
    return this.#ask({ keys: [...keys], entry }, answered) as Promise<LedgerShares>;
  }

  /**
   * The deployment's holdings: since when it deploys (the first `since` any of its processes gave)
   * and the tenants its processes hold, `held` among them once given.
   */
  holding(since: string, held?: HeldTenantName): Promise<Holdings> {
    const answered = (value: unknown) => typeof (value as Holdings | undefined)?.since === "string";
    return this.#ask({ since, ...(held ? { held } : {}) }, answered) as Promise<Holdings>;
  }

  /**
   * Admits a create's seats to `tenant` when what this deployment admitted before, plus them, fits in
   * the free seats read under the tenant's lock; a slot admitted before is admitted again at no cost.
   */
  admit(tenant: string, admit: SeatAdmission): Promise<Admitted> {
    const answered = (value: unknown) => typeof (value as Admitted | undefined)?.admitted === "boolean";
    return this.#ask({ tenant, admit }, answered) as Promise<Admitted>;
  }

  /** Asks the ledger's host, or becomes it when nobody hosts it yet (or its host ended); `answered` tells an answer. */
  async #ask(request: LedgerRequest, answered: (value: unknown) => boolean): Promise<unknown> {
    for (;;) {
      if (this.#hosted) return this.#hosted.shares.answer(request);
      const answer = await askLocal<unknown>(this.#where, request);
      if (answered(answer)) return answer;
      const shares = new Shares();
      const server = await listenExclusively(this.#where, (socket) =>
        answerLines(socket, (asked) => shares.answer(asked as LedgerRequest)),
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
