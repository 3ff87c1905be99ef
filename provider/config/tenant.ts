import { createHash } from "node:crypto";
import type { ResolvedSettings } from "./settings";

/**
 * Which KooDrive tenant a connection reaches, whatever its spelling: the guard's ledger, the tenant
 * lock and the read cache are keyed on it, so two spellings of one connection count as one tenant.
 */
export interface TenantIdentity {
  /** A stable key (a SHA-256 in hex): equal for every spelling of one tenant, and no secret in it. */
  key: string;
  /** How messages name the tenant: the explicit `tenant` setting, else the endpoint. Never a credential. */
  label: string;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * The tenant of resolved settings: the endpoint as normalized by the settings resolution (scheme, host
 * in lower case, default port dropped, trailing `/` gone, region shortcut resolved) with the
 * credential's identity (app id and user id; a token's hash without its `Bearer ` prefix, never the
 * token). `explicit` (the `tenant` setting) overrides both, for what no normalization can see: two
 * host names of one service, a rotated token.
 */
export function tenantIdentity(
  settings: Pick<ResolvedSettings, "endpoint" | "credentials">,
  explicit?: string,
): TenantIdentity {
  const name = explicit?.trim();
  if (name) return { key: sha256(`tenant\n${name}`), label: name };
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
  return { key: sha256(`endpoint\n${endpoint}\n${who}`), label: endpoint };
}
