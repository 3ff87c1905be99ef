/** Which proxy, if any, carries a request: HTTP_PROXY, HTTPS_PROXY and NO_PROXY, and never for loopback. */
import { isLoopback } from "./endpoint";
import { ConfigurationError } from "./errors";

type Environment = Readonly<Record<string, string | undefined>>;

const read = (env: Environment, name: string) => (env[name] ?? env[name.toLowerCase()] ?? "").trim();

function excluded(url: URL, noProxy: string): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === "*") return true;
      const [, name = "", entryPort] = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase()) ?? [];
      if (entryPort && entryPort !== port) return false;
      const bare = name.replace(/^\*?\./, "").replace(/^\[|\]$/g, "");
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/**
 * The proxy URL for requests to `url` (HTTPS_PROXY for https, falling back to HTTP_PROXY; HTTP_PROXY
 * for http), or undefined when none applies: none is set, NO_PROXY names the host, or the host is loopback.
 */
export function proxyFor(url: URL, env: Environment): URL | undefined {
  if (isLoopback(url.hostname)) return undefined;
  const value =
    url.protocol === "https:" ? read(env, "HTTPS_PROXY") || read(env, "HTTP_PROXY") : read(env, "HTTP_PROXY");
  if (value === "" || excluded(url, read(env, "NO_PROXY"))) return undefined;
  try {
    return new URL(value.includes("://") ? value : `http://${value}`);
  } catch {
    throw new ConfigurationError(
      "invalid proxy setting",
      "HTTPS_PROXY or HTTP_PROXY is not a URL such as http://proxy.example.com:3128",
    );
  }
}

/** The proxy as it may be shown: scheme, host and port, never a user name or password. */
export function proxyName(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
