/**
 * The ledger of one deployment: the new allocation of every guard checked so far, per tenant, so that
 * the guards of a tenant are judged together, whatever their spelling of the connection and whichever
 * provider (process) serves them. A guard's slot is its URN: checked again (preview, then update), it
 * replaces its share instead of adding it. Users and Spaces are entries too, and it counts what the
 * deployment admitted of them to each tenant under its lock, so that no create admits more than the
 * figures read under it allow, and a create can judge the deployment's whole remaining plan.
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
import { amountsOf, beyond, type FigureAmounts, shortFigure, sumAllocations } from "../capacity/admission";
import type { CapacityFigure } from "../capacity/figures";
import type { Allocation, GuardShare } from "../capacity/plan";
import { answerLines, askLocal, listenExclusively, machineScope, socketPath } from "./local-lock";

/** An entry: its slot, its name in messages and its new allocation; `kind` for a resource that admits itself at create. */
export interface LedgerEntry {
  urn: string;
  name: string;
  allocation: Allocation;
  /** A `User` or `Space` (admitted at its own create); absent for a guard (what other tools add). */
  kind?: "User" | "Space";
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

/** True when an allocation adds anything. */
function isSome(allocation: Allocation): boolean {
  const { users, spaceGB } = sumAllocations([allocation]);
  return users !== undefined || spaceGB !== undefined;
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

/** A create or growth that asks to be admitted: its slot, what it adds, and what may be added of each figure (read under the tenant's lock). */
export interface Admission {
  urn: string;
  /** What it is admitted under, when not its URN: a size of a Space (`<urn>\n<GB> GB`), so that each growth pays for itself and a retried create for nothing. */
  slot?: string;
  /** Its name in messages, should the ledger not know it yet. */
  name: string;
  kind: "User" | "Space";
  adds: Allocation;
  room: FigureAmounts;
}

interface AdmissionRequest {
  keys: string[];
  admission: Admission;
}

/** What admitting answers: whether it fits, what this deployment admitted to the tenant before, and the figure short, if any. */
export interface Admitted {
  admitted: boolean;
  before: Allocation;
  short?: CapacityFigure;
}

interface PendingRequest {
  pending: string[];
  /** Users and Spaces an earlier phase of the run checked (run-plan.ts): pending too, until this deployment checks them. */
  planned?: LedgerEntry[];
}

/** What a deployment still means to add to a tenant, and what it added: read at a create, to judge the whole remaining plan. */
export interface PendingPlan {
  /** What the tenant's Users and Spaces checked in this deployment add beyond what was admitted of them. */
  pending: Allocation;
  /** How many Users and Spaces that is. */
  count: { User: number; Space: number };
  /** What this deployment admitted to the tenant so far. */
  admitted: Allocation;
  /** How long ago the last entry (of any tenant) was recorded, in ms: checks have settled when it is long enough. */
  quietForMs: number;
}

type LedgerRequest = ShareRequest | HoldingRequest | AdmissionRequest | PendingRequest;

/** The ledger itself, in the process that hosts it. */
class Shares {
  /** Every guard's entry and its tenant's keys, by URN. */
  readonly #entries = new Map<string, ShareRequest>();
  readonly #held = new Map<string, HeldTenantName>();
  #since: string | undefined;
  /** What each slot was admitted, and whose it is (admitted again, a slot takes only its growth). */
  readonly #admitted = new Map<string, { urn: string; allocation: Allocation }>();
  /** When the last entry was recorded (ms since the epoch). */
  #lastShareAt = 0;

  /** Records what a process says of its holdings (the first `since` stands); the deployment's holdings. */
  holding({ since, held }: HoldingRequest): Holdings {
    this.#since ??= since;
    if (held) this.#held.set(held.key, held);
    return { since: this.#since, held: [...this.#held.values()] };
  }

  /** The entries of the tenant whose keys are `keys`: those whose keys meet them, directly or through other entries. */
  #tenantOf(keys: readonly string[]): LedgerEntry[] {
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
    return [...this.#entries.values()].filter((other) => !rest.has(other)).map((other) => other.entry);
  }

  /** What the slots of `entries` were admitted, added up. */
  #admittedTo(entries: readonly LedgerEntry[], except?: string): Allocation {
    const urns = new Set(entries.map((entry) => entry.urn));
    const taken = [...this.#admitted].filter(([slot, { urn }]) => urns.has(urn) && slot !== except);
    return sumAllocations(taken.map(([, { allocation }]) => allocation));
  }

  /**
   * Admits what a create adds (beyond what its slot was admitted before) when it fits, figure by
   * figure, in the room read under the tenant's lock beside what this deployment admitted before.
   */
  admit({ keys, admission }: AdmissionRequest): Admitted {
    const { urn, name, kind, adds, room } = admission;
    const slot = admission.slot ?? urn;
    if (!this.#entries.has(urn)) this.#entries.set(urn, { keys, entry: { urn, name, kind, allocation: adds } });
    const own = this.#admitted.get(slot)?.allocation;
    const before = this.#admittedTo(this.#tenantOf(keys), slot);
    const short = shortFigure(amountsOf(beyond(adds, own)), amountsOf(sumAllocations([before, own ?? {}])), room);
    if (short) return { admitted: false, before, short };
    this.#admitted.set(slot, { urn, allocation: sumAllocations([own ?? {}, beyond(adds, own)]) });
    return { admitted: true, before };
  }

  /** What the tenant's Users and Spaces still add beyond what was admitted of them, and what was admitted. */
  pendingOf(keys: readonly string[], planned: readonly LedgerEntry[] = []): PendingPlan {
    const checked = this.#tenantOf(keys).filter((entry) => entry.kind !== undefined);
    const entries = [
      ...checked,
      ...planned.filter((entry) => entry.kind !== undefined && !this.#entries.has(entry.urn)),
    ];
    const count = { User: 0, Space: 0 };
    const rests = entries.map((entry) => {
      const rest = beyond(entry.allocation, this.#admittedTo([entry]));
      if (entry.kind && isSome(rest)) count[entry.kind] += 1;
      return rest;
    });
    return {
      pending: sumAllocations(rests),
      count,
      admitted: this.#admittedTo(checked),
      quietForMs: Date.now() - this.#lastShareAt,
    };
  }

  /** Answers a request of any kind. */
  answer(request: LedgerRequest): LedgerShares | Holdings | Admitted | PendingPlan {
    if ("entry" in request) return this.share(request);
    if ("admission" in request) return this.admit(request);
    if ("pending" in request) return this.pendingOf(request.pending, request.planned);
    return this.holding(request);
  }

  /**
   * Records `entry` under its tenant's `keys`; its label and the shares of the other guards of its
   * tenant: those whose keys meet its own, directly or through other guards (a guard under a tenant
   * name and its id joins the guards of either).
   */
  share({ keys, entry }: ShareRequest): LedgerShares {
    this.#entries.set(entry.urn, { keys, entry });
    this.#lastShareAt = Date.now();
    const all = this.#tenantOf(keys);
    const others = all.filter((other) => other.urn !== entry.urn);
    // Users and Spaces go by the count of each kind: a plan of 500 Users is not 500 names in every answer.
    const byKind = (kind: "User" | "Space") => {
      const of = others.filter((other) => other.kind === kind && isSome(other.allocation));
      const name = `${of.length} ${kind}${of.length === 1 ? "" : "s"}`;
      return of.length === 0 ? [] : [{ name, allocation: sumAllocations(of.map((other) => other.allocation)) }];
    };
    return {
      label: guardLabel(entry, all),
      others: [
        ...others
          .filter((other) => other.kind === undefined)
          .map((other) => ({ name: guardLabel(other, all), allocation: other.allocation })),
        ...byKind("User"),
        ...byKind("Space"),
      ],
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
   * Admits what a create adds to the tenant of `keys` when it fits, figure by figure, in the room read
   * under the tenant's lock beside what this deployment admitted before; a slot admitted before pays
   * only for its growth.
   */
  admit(keys: readonly string[], admission: Admission): Promise<Admitted> {
    const answered = (value: unknown) => typeof (value as Admitted | undefined)?.admitted === "boolean";
    return this.#ask({ keys: [...keys], admission }, answered) as Promise<Admitted>;
  }

  /**
   * What this deployment's Users and Spaces of the tenant of `keys` still add, and what it admitted;
   * with `planned`, those an earlier phase of the run checked that this deployment has not.
   */
  pending(keys: readonly string[], planned: readonly LedgerEntry[] = []): Promise<PendingPlan> {
    const answered = (value: unknown) => typeof (value as PendingPlan | undefined)?.quietForMs === "number";
    return this.#ask(
      { pending: [...keys], ...(planned.length > 0 ? { planned: [...planned] } : {}) },
      answered,
    ) as Promise<PendingPlan>;
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
