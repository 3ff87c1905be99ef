import { createHash } from "node:crypto";
import os from "node:os";
import { type Reading, readingOf, type ServiceUsageReading } from "../capacity/runway";
import { deriveUsage } from "../capacity/usage";
import { KooDriveHttpClient } from "../client/client";
import { TenantMismatchError } from "../client/errors";
import { callLimits } from "../config/call-limits";
import {
  CONNECTION_SETTINGS,
  type ConnectionKey,
  type ConnectionValues,
  credentialKeys,
  settingPlaces,
} from "../config/connection-settings";
import { type ProviderReserves, type ReserveValues, resolveReserves } from "../config/reserve-settings";
import {
  type KooDriveClientOptions,
  type KooDriveConnectionArgs,
  type LockSettings,
  type ResolvedSettings,
  resolveLockSettings,
  resolveSettings,
} from "../config/settings";
import { credentialIdentity, identifiedTenant, type TenantIdentity } from "../config/tenant";
import { CONTAINER_WARNING, runsInContainer } from "../tenant/container";
import { engineAnswers } from "../tenant/engine-probe";
import { machineHistory, type RecordedHistory, RunHistory, SharedHistory } from "../tenant/history";
import { DEFAULT_LOCK_TIMEOUT_SECONDS, describeHolder, holdTenant } from "../tenant/hold";
import { LayeredTenantLock } from "../tenant/layered-lock";
import {
  type Admission,
  type Admitted,
  DeploymentLedger,
  type LedgerEntry,
  type LedgerShares,
  type PendingPlan,
} from "../tenant/ledger";
import { LocalTenantLock } from "../tenant/local-lock";
import type { TenantLockBackend, UncleanEnd } from "../tenant/lock";
import { RunPlan } from "../tenant/run-plan";
import { RunCancellation } from "./cancellation";

/** Says a line against a resource (the engine shows it): information unless a severity is given. */
export type Say = (line: string, severity?: "info" | "warning" | "error") => void;

/** A tenant this deployment holds: its label, the backend holding it, and how to reach the user about it. */
interface HeldTenant {
  label: string;
  backend: TenantLockBackend;
  /** What a guard must find left of the lease to be judged under it, in ms. */
  marginMs: number;
  say: Say;
}

/** How long releasing the leases may hold up the process's end when the engine stops it, in ms. */
const RELEASE_MS = 3_000;

/**
 * "took over … from stack S on H (pid P), deploying since T, whose lease expired at E without being
 * released: …", or for a lock on this machine, whose process ended at E without releasing it.
 */
export function describeUncleanEnd(label: string, { holder, expiredAt, kind }: UncleanEnd): string {
  const time = (iso: string) => `${iso.slice(11, 19)} UTC`;
  const how =
    kind === "lease"
      ? `whose lease expired at ${time(expiredAt)} without being released: that deployment ended uncleanly (killed, or cut off from the lock server)`
      : `whose process ended at ${time(expiredAt)} without releasing it: that deployment ended uncleanly (killed)`;
  return (
    `took over the KooDrive tenant ${label} from stack ${holder.stack} on ${holder.host} (pid ${holder.pid}), ` +
    `deploying since ${time(holder.since)}, ${how}, and commands it started may still ` +
    "be running and adding to the tenant; the figures read now may not show all they add"
  );
}

/** How long a preview asks the lock server who else deploys to a tenant: once per run and tenant. */
export const PREVIEW_ASK_MS = 2_000;

/** A line a preview's guard shows about other deployments to its tenant. */
export interface DeploymentNote {
  severity: "info" | "warning";
  message: string;
}

/** What asking the lock server found: a holder's description, nobody, or why it could not tell. */
type Asked = { other?: string } | { failed: string };

/** What the subscription says that decides whether users and space can be added. */
export interface SubscriptionFacts {
  /** 0 normal, 1 frozen: "resources and data are reserved but the cloud service cannot be used". */
  status: number;
  /** The default size of the personal space every new user gets, in GB (0 when none is enabled). */
  personalSpaceSize: number;
}

/** The figures of a connection, when they were read, and the tenant they belong to. */
export interface TenantReading extends ServiceUsageReading {
  tenant: TenantIdentity;
  /** The subscription's facts, when it could be read. */
  subscription?: SubscriptionFacts;
  /** Why the credential's subscription could not be read, when it could not: its identity then stands in for the tenant. */
  unread?: string;
}

/** A credential's tenant, and why its subscription could not be read when it could not (its identity then stands in). */
interface Identified {
  tenant: TenantIdentity;
  subscription?: SubscriptionFacts;
  unread?: string;
}

/** The warning, said once per credential and run, that a credential's subscription could not be read. */
function unreadWarning(tenant: TenantIdentity, why: string): string {
  const joined = tenant.name
    ? `the tenant name ${tenant.name} stands in for it`
    : "the credential stands in for it, so other credentials of this tenant are not serialized with this one";
  return `cannot tell which KooDrive tenant ${tenant.endpoint} is (reading its subscription failed: ${why}); ${joined} until it can be read (let the credential read GET /koodrive/ose/v1/service)`;
}

/** The engine's address among a provider process's arguments (`127.0.0.1:PORT`, flags aside), if any. */
export function engineAddressOf(args: readonly string[]): string | undefined {
  return args.find((arg) => /^(\[[0-9a-f:]+\]|[\w.-]+):\d+$/i.test(arg));
}

/** The deployment a provider process serves: the engine's address (the same for every provider of one deployment) on this machine. */
export function deploymentOf(engineAddress: string | undefined): string {
  const key = engineAddress ? `${os.hostname()}\n${engineAddress}` : `${process.pid}\n${Math.random()}`;
  return createHash("sha256").update(key).digest("hex").slice(0, 24);
}

/** The warning of a preview that could not ask whether another deployment is changing the tenant. */
function cannotTell(tenant: TenantIdentity, why: string): string {
  return `could not tell whether another deployment is changing the KooDrive tenant ${tenant.label}: ${why}; these figures may miss its changes (\`pulumi up\` waits for it, or fails closed)`;
}

/** `project/stack` of a URN (`urn:pulumi:<stack>::<project>::…`). */
function stackOfUrn(urn: string): string {
  const [head = "", project = "unknown"] = urn.split("::");
  return `${project}/${head.split(":")[2] ?? "unknown"}`;
}

/** What the entry point lends a provider process's state. */
export interface ProviderStateOptions {
  /**
   * Ends the process with `code` (the entry point's `process.exit`). The state calls it when the
   * engine is gone (killed outright), so that no provider process outlives it nor keeps a lock, and
   * when the engine stops the process while it holds a tenant, once its locks are released (telling
   * those who wait that it let go cleanly). Without it
   * (the policy pack, tests) the state never ends the process nor handles its signals.
   */
  exit?: (code: number) => void;
  /** The folder of this machine's histories of tenants; by default `history` in the project's cache folder. */
  historyFolder?: string;
  /** The run's plan (run-plan.ts): found from the process's ancestors when undefined; `null` keeps none (tests). */
  runPlan?: RunPlan | null;
}

/**
 * What the provider process keeps between calls, for the life of one deployment: the stack config,
 * one read of the figures per tenant, the deployment's ledger, the tenant locks it holds, and the
 * run's cancel. The process has one (runtime.ts, plugin/server.ts); a test creates a fresh one.
 */
export class ProviderState {
  /** The stack's `koodrive:*` config, secrets already decrypted. */
  #config: ConnectionValues = {};
  /** The provider's reserves as its configuration gives them (checked when a User or Space needs them). */
  #reserves: ReserveValues = {};
  /** Each credential's tenant, by its identity and tenant name: its subscription read once per run. */
  readonly #identities = new Map<string, Promise<Identified>>();
  /** The ledger key of each credential whose subscription was read (or could not be), by its identity. */
  readonly #keyOfCredential = new Map<string, string>();
  /** The tenant each `tenant` name was first found to be, and the mismatch when another read answered another id. */
  readonly #named = new Map<string, TenantIdentity>();
  readonly #mismatches = new Map<string, TenantMismatchError>();
  /** True once a guard warned that this deployment takes the lock on this machine inside a container. */
  #containerWarned = false;
  /** The credentials whose unreadable subscription was already warned of. */
  readonly #warned = new Set<string>();
  /** Each credential's read of the figures (by its identity and unit), and one reading per endpoint and tenant id. */
  readonly #reads = new Map<string, Promise<ServiceUsageReading>>();
  readonly #figures = new Map<string, { tenantKey: string; reading: ServiceUsageReading }>();
  readonly #engineAddress: string | undefined;
  readonly deployment: string;
  readonly #ledger: DeploymentLedger;
  /** The Users and Spaces this run of the CLI checked, across its preview and update, where it can tell its run. */
  readonly #runPlan: RunPlan | undefined;
  readonly #locks = new Map<string, TenantLockBackend>();
  /** The tenants this deployment holds (or held, when a lease was lost), by key. */
  readonly #held = new Map<string, HeldTenant>();
  /** What the lock server said, by tenant key: asked once per run. */
  readonly #asked = new Map<string, Promise<Asked>>();
  #watchdog: NodeJS.Timeout | undefined;
  /** Releases the leases when the engine stops the process (SIGINT, then SIGKILL 5 s later), once installed. */
  #onStop: ((signal: NodeJS.Signals) => void) | undefined;
  /** The entry point's way to end the process; without it the state never ends the process. */
  readonly #exit: ((code: number) => void) | undefined;
  /** The engine's cancel of this run: the front end wires its engine's `Cancel` to `cancellation.cancel()`. */
  readonly cancellation = new RunCancellation();
  /** The tenants' histories this run records its readings in: this machine's, and with each lock server's. */
  readonly #history: RunHistory;
  readonly #shared = new Map<string, { run: RunHistory; close(): Promise<void> }>();

  /** `engineAddress`: the engine's address the provider process was started with, which tells the deployment. */
  constructor(engineAddress?: string, options: ProviderStateOptions = {}) {
    this.#engineAddress = engineAddress;
    this.#exit = options.exit;
    this.deployment = deploymentOf(engineAddress);
    this.#ledger = new DeploymentLedger(this.deployment);
    this.#history = machineHistory(options.historyFolder);
    this.#runPlan = options.runPlan === undefined ? RunPlan.ofThisRun() : (options.runPlan ?? undefined);
    this.#watchEngine();
  }

  /**
   * Keeps the provider's settings (the stack's `koodrive:*` config, or an explicit provider's) for the
   * rest of the run: the connection, and the reserves of its Users and Spaces.
   */
  configure(settings: ConnectionValues, reserves: ReserveValues = {}): void {
    this.#config = settings;
    this.#reserves = reserves;
  }

  /** The provider's reserves: its configuration, else the environment; throws a `ConfigurationError` naming a wrong one. */
  reserves(): ProviderReserves {
    return resolveReserves(this.#reserves);
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

  /**
   * The tenant a connection reaches (its subscription read once per run per credential); undefined
   * for settings that do not resolve (the read then says why). Throws `TenantMismatchError` once two
   * reads under its `tenant` name answered two tenant ids.
   */
  async tenantOf(connection: KooDriveConnectionArgs): Promise<TenantIdentity | undefined> {
    let settings: ResolvedSettings;
    try {
      settings = resolveSettings({ ...this.clientOptions(connection), ...callLimits(process.env) });
    } catch {
      return undefined;
    }
    return (await this.#identify(settings)).tenant;
  }

  /**
   * What a guard says about its credential's tenant before its verdict: that its subscription could
   * not be read, once per credential and run; undefined otherwise.
   */
  tenantWarning(tenant: TenantIdentity, unread: string | undefined): string | undefined {
    if (unread === undefined || this.#warned.has(tenant.figuresKey)) return undefined;
    this.#warned.add(tenant.figuresKey);
    return unreadWarning(tenant, unread);
  }

  /** The credential's tenant: its subscription read once per run (beside the figures), checked against its `tenant` name. */
  async #identify(settings: ResolvedSettings): Promise<Identified> {
    const credential = credentialIdentity(settings);
    const key = `${credential.figuresKey}\n${credential.name ?? ""}`;
    let identified = this.#identities.get(key);
    if (!identified) {
      identified = this.#readSubscription(settings, credential);
      this.#identities.set(key, identified);
    }
    const found = await identified;
    const mismatch = found.tenant.name === undefined ? undefined : this.#mismatches.get(found.tenant.name);
    if (mismatch) throw mismatch;
    return found;
  }

  /** Reads a credential's subscription for its `tenantId`; when it cannot, the credential stands in (a cancel aside). */
  async #readSubscription(settings: ResolvedSettings, credential: TenantIdentity): Promise<Identified> {
    const client = new KooDriveHttpClient(settings);
    try {
      const {
        tenantId,
        status,
        personalSpaceSize = 0,
      } = await this.cancellation.unlessCancelled(
        () => client.readSubscription(),
        () => client.close(),
      );
      const tenant = identifiedTenant(credential, tenantId);
      this.#keyOfCredential.set(credential.figuresKey, tenant.key);
      this.#crossCheck(tenant);
      return { tenant, subscription: { status, personalSpaceSize } };
    } catch (error) {
      if (this.cancellation.cancelled) throw error;
      this.#keyOfCredential.set(credential.figuresKey, credential.key);
      return { tenant: credential, unread: (error as Error).message };
    } finally {
      await client.close();
    }
  }

  /** Records the tenant id a `tenant` name stands for; another id under the same name is a mismatch, kept for the run. */
  #crossCheck(tenant: TenantIdentity): void {
    const { name, tenantId } = tenant;
    if (name === undefined || this.#mismatches.has(name)) return;
    const first = this.#named.get(name);
    if (!first) {
      this.#named.set(name, tenant);
      return;
    }
    if (first.tenantId === tenantId) return;
    this.#mismatches.set(
      name,
      new TenantMismatchError(
        `the tenant name ${name} covers two KooDrive tenants: ${first.endpoint} answers tenant id ${first.tenantId} and ${tenant.endpoint} answers tenant id ${tenantId}`,
        "a name joins the ledger and the lock of one tenant, and never picks the figures: give each tenant's connections a name of their own (koodrive:tenant, KOODRIVE_TENANT), or none",
      ),
    );
  }

  /**
   * The figures for a connection: one quotaUsed request per credential (and unit) for the whole run,
   * however many resources and spellings ask, sent beside the credential's subscription read; and one
   * reading per endpoint and tenant id, which every credential of that tenant is judged on. Taking a
   * tenant's lock drops its figures, so the next read sees what the deployment that held it before created.
   */
  async readUsage(connection: KooDriveConnectionArgs): Promise<TenantReading> {
    const settings = resolveSettings({ ...this.clientOptions(connection), ...callLimits(process.env) });
    const credential = credentialIdentity(settings);
    const key = `${credential.figuresKey}\n${settings.usedSpaceUnit}`;
    const identified = this.#identify(settings);
    let read = this.#reads.get(key);
    if (!read) {
      const client = new KooDriveHttpClient(settings);
      read = (async () => {
        try {
          const { data, ...when } = await this.cancellation.unlessCancelled(
            () => client.readQuotaUsed(),
            () => client.close(),
          );
          return { usage: deriveUsage(data, settings.usedSpaceUnit), ...when };
        } finally {
          await client.close();
        }
      })();
      this.#reads.set(key, read);
    }
    const [reading, { tenant, unread, subscription }] = await Promise.all([read, identified]);
    const shared = `${tenant.figuresKey}\n${settings.usedSpaceUnit}`;
    const first = this.#figures.get(shared)?.reading ?? reading;
    this.#figures.set(shared, { tenantKey: tenant.key, reading: first });
    return {
      ...first,
      tenant,
      ...(unread === undefined ? {} : { unread }),
      ...(subscription === undefined ? {} : { subscription }),
    };
  }

  /**
   * The tenant's history with `reading` recorded in it (when it is new there), and `imported`: what an
   * older state of a resource held, recorded once. When the history cannot be kept, these readings
   * alone, with a warning once per run.
   */
  async history(
    reading: TenantReading,
    connection: KooDriveConnectionArgs,
    imported: readonly Reading[] = [],
  ): Promise<RecordedHistory> {
    const run = await this.#historyFor(connection);
    return run.record(reading.tenant.figuresKey, [...imported, readingOf(reading.usage, reading.takenAt)]);
  }

  /** The history a connection's readings go to: this machine's, shared through the lock server when `lockUrl` is set. */
  async #historyFor(connection: KooDriveConnectionArgs): Promise<RunHistory> {
    let url: LockSettings["url"];
    try {
      url = resolveLockSettings(this.clientOptions(connection), DEFAULT_LOCK_TIMEOUT_SECONDS).url;
    } catch {
      // A lock setting that does not resolve fails the lock, which says why; the history stays this machine's.
      return this.#history;
    }
    if (!url) return this.#history;
    let shared = this.#shared.get(url.value);
    if (!shared) {
      const { PostgresHistory } = await import("../tenant/postgres-history");
      const server = new PostgresHistory(url.value, url.name);
      const where = `the lock server's history (${url.name})`;
      const run = new RunHistory(new SharedHistory(this.#history.backend, server, where), this.#history.where);
      shared = { run, close: () => server.close() };
      this.#shared.set(url.value, shared);
    }
    return shared.run;
  }

  /** Records a guard's new allocation in its tenant's ledger for this deployment; the other guards' shares. */
  shareLedger(tenant: TenantIdentity, entry: LedgerEntry): Promise<LedgerShares> {
    if (entry.kind) {
      try {
        this.#runPlan?.record(tenant.lockKeys, entry);
      } catch {
        // Unrecorded, the update judges only what it checked itself: later, never more than fits.
      }
    }
    return this.#ledger.share(tenant.lockKeys, entry);
  }

  /** Admits what a create adds to its tenant, in the room read under the lock, beside what this deployment admitted before. */
  admit(tenant: TenantIdentity, admission: Admission): Promise<Admitted> {
    return this.#ledger.admit(tenant.lockKeys, admission);
  }

  /**
   * What this deployment's Users and Spaces of `tenant` still add, and what it admitted to it; with
   * those its run's preview checked that it has not checked yet.
   */
  pendingPlan(tenant: TenantIdentity): Promise<PendingPlan> {
    return this.#ledger.pending(tenant.lockKeys, this.#runPlan?.entries(tenant.lockKeys));
  }

  /**
   * Runs an add (`call`) with a client of the connection, once the lease on `tenant` is held and will
   * outlive the call's worst case (its deadline, retries included): an add is never made under a
   * lease that may end while it runs.
   */
  async fencedAdd<T>(
    connection: KooDriveConnectionArgs,
    tenant: TenantIdentity,
    call: (client: KooDriveHttpClient, settings: ResolvedSettings) => Promise<T>,
  ): Promise<T> {
    return this.withClient(connection, async (client, settings) => {
      await this.assertHolding(tenant, settings.deadlineMs);
      return call(client, settings);
    });
  }

  /**
   * Runs `call` with a client of the connection (its settings as the figures' reads take them), stopped
   * by the engine's cancel, and closes the client after. `call` is given the settings too.
   */
  async withClient<T>(
    connection: KooDriveConnectionArgs,
    call: (client: KooDriveHttpClient, settings: ResolvedSettings) => Promise<T>,
  ): Promise<T> {
    const settings = resolveSettings({ ...this.clientOptions(connection), ...callLimits(process.env) });
    const client = new KooDriveHttpClient(settings);
    try {
      return await this.cancellation.unlessCancelled(
        () => call(client, settings),
        () => client.close(),
      );
    } finally {
      await client.close();
    }
  }

  /** The lock backend of a connection's lock settings: PostgreSQL when `lockUrl` is set, else this machine's. */
  async #lockFor(connection: KooDriveConnectionArgs): Promise<{ backend: TenantLockBackend; settings: LockSettings }> {
    const settings = resolveLockSettings(this.clientOptions(connection), DEFAULT_LOCK_TIMEOUT_SECONDS);
    const id = settings.url ? `postgres\n${settings.url.value}` : "local";
    let backend: TenantLockBackend | undefined = this.#locks.get(id);
    if (!backend) {
      if (settings.url) {
        const { PostgresTenantLock } = await import("../tenant/postgres-lock");
        const lease = new PostgresTenantLock(settings.url.value, settings.url.name, { leaseMs: settings.leaseMs });
        // This machine's lock too, first: a stack here without lockUrl waits for this one, and this one for it.
        backend = new LayeredTenantLock(this.#machineLock(), lease);
        backend.onLost((tenantKey, error) => this.#lost(tenantKey, error));
      } else {
        backend = this.#machineLock();
      }
      this.#locks.set(id, backend);
    }
    return { backend, settings };
  }

  /** The lock on this machine, one per process for every connection. */
  #machineLock(): TenantLockBackend {
    let machine = this.#locks.get("local");
    if (!machine) {
      machine = new LocalTenantLock();
      this.#locks.set("local", machine);
    }
    return machine;
  }

  /**
   * Holds the tenant for this deployment until the process ends (the engine ends it with the
   * deployment): under each of its lock keys in their order (its `tenant` name, then its id), so that
   * every stack under one name is serialized whatever its credential can read; at once when free or
   * held by this deployment, else waiting, saying who holds it. Holding another tenant already, or
   * the name of this one (in any of its processes: the ledger says), it gives way at once to an older
   * deployment (hold.ts). Every tenant is recorded as held since the deployment first went for one: its age.
   */
  async holdTenant(connection: KooDriveConnectionArgs, tenant: TenantIdentity, urn: string, say: Say): Promise<void> {
    if (tenant.lockKeys.every((key) => this.#held.has(key))) return;
    const { backend, settings } = await this.#lockFor(connection);
    if (!settings.url && !this.#containerWarned && runsInContainer()) {
      this.#containerWarned = true;
      say(CONTAINER_WARNING, "warning");
    }
    // The deployment's age: when the first of its processes went for a tenant (the ledger keeps it).
    const { since } = await this.#ledger.holding(new Date().toISOString());
    const holder = {
      stack: stackOfUrn(urn),
      host: os.hostname(),
      pid: process.pid,
      since,
      deployment: this.deployment,
      ...(this.#engineAddress ? { engine: this.#engineAddress } : {}),
    };
    for (const key of tenant.lockKeys) {
      if (this.#held.has(key)) continue;
      await holdTenant(
        backend,
        { ...tenant, key },
        {
          holder,
          timeoutMs: settings.timeoutMs,
          timeoutSetting: settings.timeoutName,
          // What every process of this deployment holds, as the wait goes on.
          holding: async () =>
            (await this.#ledger.holding(since)).held.filter((held) => held.key !== key).map(({ label }) => label),
          say,
          signal: this.cancellation.signal,
        },
      );
      const unclean = backend.uncleanEnd(key);
      if (unclean) say(describeUncleanEnd(tenant.label, unclean), "warning");
      // Another create of this process that waited too may have taken it first, and read and added under
      // it since: that reading stands (dropped now, the next read would count those adds twice).
      if (this.#held.has(key)) continue;
      // Held under the name too, it is named as such where the deployment tells what it holds.
      const label = key === tenant.key || !tenant.name ? tenant.label : `the tenant name ${tenant.name}`;
      this.#held.set(key, { label: tenant.label, backend, marginMs: settings.leaseMs / 2, say });
      this.#dropFigures(tenant);
      await this.#ledger.holding(since, { key, label });
    }
    this.#releaseOnStop();
  }

  /** Forgets the figures read of `tenant` by every credential, so that the next read is fresh. */
  #dropFigures(tenant: TenantIdentity): void {
    // A credential whose tenant is not known yet may be this one's: its figures go too.
    const keys = new Set(tenant.lockKeys);
    const ofTenant = (credentialKey: string) => keys.has(this.#keyOfCredential.get(credentialKey) ?? tenant.key);
    for (const key of this.#reads.keys()) if (ofTenant(key.slice(0, key.indexOf("\n")))) this.#reads.delete(key);
    for (const [key, { tenantKey }] of this.#figures) if (keys.has(tenantKey)) this.#figures.delete(key);
  }

  /**
   * Throws `TenantLeaseLost` when this deployment took the tenant and has lost it since, or its lease
   * would end within half a term or `forMs` (its renewals failing); nothing when it never took it (a preview).
   * Guards call it when they judge, so that nothing is admitted under a lease that is gone.
   */
  async assertHolding(tenant: TenantIdentity, forMs = 0): Promise<void> {
    for (const key of tenant.lockKeys) {
      const held = this.#held.get(key);
      if (held) await held.backend.assertHeld(key, Math.max(held.marginMs, forMs));
    }
  }

  /** A lease lost: said at once, as an error against the guard that took it. */
  #lost(tenantKey: string, error: Error): void {
    const held = this.#held.get(tenantKey);
    if (!held) return;
    held.say(`the KooDrive tenant ${held.label}: ${error.message}`, "error");
  }

  /**
   * When the engine stops this process at the end of the deployment (SIGINT or SIGTERM), releases its
   * locks (within 3 s) before it ends: the next deployment need not wait for a lease to expire, and
   * those waiting on this machine know it let go cleanly.
   */
  #releaseOnStop(): void {
    const exit = this.#exit;
    if (this.#onStop || !exit) return;
    this.#onStop = (signal) => {
      const released = Promise.all([...this.#locks.values()].map((backend) => backend.close()));
      const bound = new Promise((resolve) => setTimeout(resolve, RELEASE_MS).unref());
      void Promise.race([released, bound]).finally(() => exit(signal === "SIGINT" ? 130 : 143));
    };
    process.once("SIGINT", this.#onStop);
    process.once("SIGTERM", this.#onStop);
  }

  /**
   * Who else is deploying to the tenant, said as information (a preview never waits); undefined when
   * nobody is. The lock server is asked once per run and tenant, for at most `PREVIEW_ASK_MS`; when it
   * cannot tell, the first guard to ask says so as a warning, and the others say nothing more.
   */
  async otherDeployment(
    connection: KooDriveConnectionArgs,
    tenant: TenantIdentity,
  ): Promise<DeploymentNote | undefined> {
    if (tenant.lockKeys.every((key) => this.#held.has(key))) return undefined;
    const keys = tenant.lockKeys.join("\n");
    let asked = this.#asked.get(keys);
    const first = !asked;
    if (!asked) {
      asked = this.#askHolder(connection, tenant);
      this.#asked.set(keys, asked);
    }
    const answer = await asked;
    if ("failed" in answer) return first ? { severity: "warning", message: answer.failed } : undefined;
    return answer.other ? { severity: "info", message: answer.other } : undefined;
  }

  /** Asks the tenant's lock who holds it (under any of its keys), bounded by `PREVIEW_ASK_MS`. */
  async #askHolder(connection: KooDriveConnectionArgs, tenant: TenantIdentity): Promise<Asked> {
    let setting = "the tenant lock";
    let timer: NodeJS.Timeout | undefined;
    try {
      const { backend, settings } = await this.#lockFor(connection);
      if (settings.url) setting = `the lock server (${settings.url.name})`;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), PREVIEW_ASK_MS);
        timer.unref();
      });
      const holders = Promise.all(tenant.lockKeys.map((key) => backend.holderOf(key)));
      const found = await Promise.race([holders, late]);
      if (found === "late") {
        return { failed: cannotTell(tenant, `${setting} did not answer within ${PREVIEW_ASK_MS / 1000} s`) };
      }
      const holder = found.find((held) => held && held.deployment !== this.deployment);
      if (!holder) return {};
      return { other: `${describeHolder(holder)}; its changes may not be in these figures yet` };
    } catch (error) {
      return { failed: cannotTell(tenant, `${setting} failed: ${(error as Error).message}`) };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Checks every 2 s that the engine is still there: an engine killed outright (`kill -9`) leaves its
   * provider processes behind, which must neither keep a lock nor outlive it. When it is gone, the
   * watch stops and the entry point's `exit` ends the process.
   */
  #watchEngine(): void {
    const address = this.#engineAddress;
    const exit = this.#exit;
    if (this.#watchdog || !address || !exit) return;
    this.#watchdog = setInterval(() => {
      void engineAnswers(address).then((answers) => {
        if (answers || !this.#watchdog) return;
        clearInterval(this.#watchdog);
        exit(1);
      });
    }, 2_000);
    this.#watchdog.unref();
  }

  /** Releases every lock and stops hosting the ledger (tests; a provider process ends with its deployment). */
  async close(): Promise<void> {
    if (this.#watchdog) clearInterval(this.#watchdog);
    if (this.#onStop) {
      process.off("SIGINT", this.#onStop);
      process.off("SIGTERM", this.#onStop);
      this.#onStop = undefined;
    }
    await Promise.all([...this.#locks.values()].map((backend) => backend.close()));
    await Promise.all([...this.#shared.values()].map((shared) => shared.close()));
    this.#locks.clear();
    this.#shared.clear();
    this.#held.clear();
    await this.#ledger.close();
  }
}
