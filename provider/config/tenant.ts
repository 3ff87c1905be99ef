import { createHash } from "node:crypto";
import type { ResolvedSettings } from "./settings";

/**
 * Which KooDrive tenant a connection reaches, by one rule for every front end. KooDrive's own
 * `tenantId` (from the subscription, read once per run per credential) is the tenant; until it is
 * known (a credential that cannot read the subscription), the credential's identity stands in. The
 * `tenant` setting is a name that cross-checks the ids and joins ledgers and locks: a deployment under
 * it takes the lock under the name and under the id, so every stack under one name is serialized
 * whatever its credential can read; it never keys the figures.
 */
export interface TenantIdentity {
  /**
   * The key of the guards' ledger and of the tenant lock (a SHA-256 in hex, no secret in it): the
   * `tenantId`; while it is unknown, the `tenant` name when given, else the credential's identity.
   */
  key: string;
  /**
   * The keys the tenant lock is taken under, in this order (no two deployments take them in opposite
   * order): the `tenant` name's when given, then the `tenantId`'s when known; the credential's when
   * neither is. The deployment's ledger joins the guards that share any of them.
   */
  lockKeys: string[];
  /** The key of the figures (the read cache, the history): the endpoint with the `tenantId`; the credential's identity while it is unknown. */
  figuresKey: string;
  /** How messages name the tenant: the `tenant` name when given, else the endpoint. Never a credential. */
  label: string;
  /** The endpoint, normalized: what a mismatch names. */
  endpoint: string;
  /** KooDrive's `tenantId`, once the subscription was read. */
  tenantId?: string;
  /** The `tenant` setting, when given. */
  name?: string;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * The tenant of resolved settings before its subscription is read: the endpoint as normalized by the
 * settings resolution (scheme, host in lower case without a trailing dot, default port dropped,
 * trailing `/` gone, region shortcut resolved) with the credential's identity (app id and user id; a
 * token's hash without its `Bearer ` prefix, never the token). The `tenant` setting, when given,
 * labels it and keys its ledger and lock.
 */
export function credentialIdentity(
  settings: Pick<ResolvedSettings, "endpoint" | "credentials" | "tenant">,
): TenantIdentity {
  const { credentials } = settings;
  const who =
    credentials.mode === "app"
      ? `app\n${credentials.appId}\n${credentials.userId}`
      : `token\n${sha256(
          credentials.token
            .reveal()
            .replace(/^bearer\s+/i, "")
            .trim(),
        )}`;
  const endpoint = `${settings.endpoint.origin}${settings.endpoint.pathname.replace(/\/+$/, "")}`;
  const credential = sha256(`endpoint\n${endpoint}\n${who}`);
  const name = settings.tenant?.trim() || undefined;
  const key = name ? sha256(`tenant\n${name}`) : credential;
  return {
    key,
    lockKeys: [key],
    figuresKey: credential,
    label: name ?? endpoint,
    endpoint,
    ...(name ? { name } : {}),
  };
}

/**
 * The tenant once its subscription answered `tenantId`: the ledger and the lock on the id (after the
 * `tenant` name's, when given), the figures on the endpoint with it.
 */
export function identifiedTenant(credential: TenantIdentity, tenantId: string): TenantIdentity {
  const key = sha256(`tenant-id\n${tenantId}`);
  return {
    ...credential,
    key,
    lockKeys: credential.name ? [sha256(`tenant\n${credential.name}`), key] : [key],
    figuresKey: sha256(`endpoint\n${credential.endpoint}\ntenant-id\n${tenantId}`),
    tenantId,
  };
}
