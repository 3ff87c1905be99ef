import { isIP } from "node:net";
import { ConfigurationError } from "./errors";

/** The region presets and their hosts. */
export const REGION_ENDPOINTS = {
  /** CN North-Beijing4. */
  cn: "https://cn.myhuaweicloud-koodrive.com",
  /** AP-Singapore. */
  intl: "https://intl.myhuaweicloud-koodrive.com",
} as const;

/** A region preset name. */
export type RegionPreset = keyof typeof REGION_ENDPOINTS;

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/**
 * Turns `cn`, `intl` or a base URL into the base URL requests go to (no trailing slash, no trailing
 * dot on the host).
 * HTTPS is required, except plain HTTP to a loopback address (the simulator, a local proxy).
 */
export function resolveEndpoint(value: string, source = "endpoint"): URL {
  const trimmed = value.trim();
  if (Object.hasOwn(REGION_ENDPOINTS, trimmed)) return new URL(REGION_ENDPOINTS[trimmed as RegionPreset]);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ConfigurationError(
      `invalid ${source}`,
      `"${trimmed}" is neither a region preset (cn, intl) nor an absolute URL such as https://koodrive.example.com`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigurationError(
      `invalid ${source}`,
      "the URL must not carry a user name or password; use the credential settings",
    );
  }
  if (url.search || url.hash) {
    throw new ConfigurationError(
      `invalid ${source}`,
      `"${url.origin}${url.pathname}" must not have a query string or fragment`,
    );
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new ConfigurationError(
      `insecure ${source}`,
      `plain HTTP is only allowed to loopback addresses; use https://${url.host}${url.pathname === "/" ? "" : url.pathname}`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigurationError(`invalid ${source}`, `unsupported scheme ${url.protocol} (use https://)`);
  }
  url.pathname = url.pathname.replace(/\/+$/, "");
  // `example.com.` (fully qualified) is `example.com`: one host, one tenant, one certificate name.
  if (url.hostname.endsWith(".")) url.hostname = url.hostname.replace(/\.+$/, "");
  return url;
}

/**
 * The URL of an API path (with its query string, if any) under a base URL, keeping any path prefix of
 * the base (proxies, gateways).
 */
export function apiUrl(base: URL, path: string): URL {
  const url = new URL(base.href);
  const at = path.indexOf("?");
  url.pathname = `${base.pathname.replace(/\/+$/, "")}${at === -1 ? path : path.slice(0, at)}`;
  url.search = at === -1 ? "" : path.slice(at);
  return url;
}
