import { setTimeout as sleep } from "node:timers/promises";
import { rootCertificates } from "node:tls";
import { EnvHttpProxyAgent, request } from "undici";
import { apiUrl } from "./endpoint";
import { type KooDriveError, type KooDriveErrorContext, NetworkError, TimeoutError } from "./errors";
import { QUOTA_USED_PATH, type QuotaUsedData } from "./quota-used";
import { errorFromAnswer, parseQuotaUsedAnswer, type RawAnswer } from "./response";
import { backoffDelayMs, isRetryableStatus, retryAfterMs } from "./retry";
import {
  type Credentials,
  type KooDriveClientOptions,
  type ResolvedSettings,
  resolveSettings,
  type SettingsSource,
} from "./settings";
import { signAppRequest } from "./signing";
import { newTraceId } from "./trace-id";
import { deriveUsage, type GetServiceUsageResult } from "./usage";
import { PACKAGE_VERSION } from "./version";

/** Bodies larger than this are not KooDrive answers; reading stops there. */
const MAX_BODY_BYTES = 1024 * 1024;

function authHeaders(credentials: Credentials, method: string, url: URL): Record<string, string> {
  if (credentials.mode === "token") {
    const token = credentials.token.reveal();
    return { authorization: /^bearer[ +]/i.test(token) ? token : `Bearer ${token}` };
  }
  return signAppRequest(
    { method, url },
    { appId: credentials.appId, appSecret: credentials.appSecret.reveal(), userId: credentials.userId },
  );
}

async function readBody(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function errorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown })?.code;
  if (typeof own === "string") return own;
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof cause === "string" ? cause : undefined;
}

/** A failed attempt, said in words a person can act on. */
function describeNetworkFailure(error: unknown, url: URL, answered: boolean): string {
  const code = errorCode(error);
  const where = url.host;
  if (answered) return `the answer from ${where} was cut off before it was complete (${code ?? "connection closed"})`;
  switch (code) {
    case "ECONNREFUSED":
      return `${where} refused the connection; is the endpoint right and the service up?`;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return `${where} closed the connection without an answer`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `the host ${url.hostname} could not be resolved; check the endpoint`;
    default:
      if (code?.startsWith("ERR_TLS") || code?.includes("CERT")) {
        return `TLS with ${where} failed (${code}); for a private CA set caCert, never turn verification off`;
      }
      return `request to ${where} failed (${code ?? (error instanceof Error ? error.message : String(error))})`;
  }
}

/** HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case) from `env`; "" where unset, so nothing else is consulted. */
function proxySettings(env: Readonly<Record<string, string | undefined>>) {
  const read = (name: string) => env[name] ?? env[name.toLowerCase()] ?? "";
  return { httpProxy: read("HTTP_PROXY"), httpsProxy: read("HTTPS_PROXY"), noProxy: read("NO_PROXY") };
}

/** A typed client for the KooDrive service-usage API, with timeouts, retries and app signing. */
export class KooDriveClient {
  readonly #settings: ResolvedSettings;
  readonly #dispatcher: EnvHttpProxyAgent;

  /**
   * Resolves and validates the settings at once: a `ConfigurationError` here means nothing was sent.
   * `fallbacks` are consulted before the environment (the Pulumi provider passes the stack config).
   */
  constructor(options: KooDriveClientOptions = {}, fallbacks: readonly SettingsSource[] = []) {
    this.#settings = resolveSettings(options, fallbacks);
    const tls = this.#settings.caCert ? { ca: [...rootCertificates, this.#settings.caCert] } : undefined;
    this.#dispatcher = new EnvHttpProxyAgent({
      ...proxySettings(options.env ?? process.env),
      ...(tls ? { connect: tls, requestTls: tls } : {}),
    });
  }

  /** The base URL requests go to. */
  get endpoint(): string {
    return this.#settings.endpoint.href.replace(/\/$/, "");
  }

  /** `token` or `app`. */
  get authMode(): Credentials["mode"] {
    return this.#settings.credentials.mode;
  }

  /** The 17 figures of `GET /koodrive/ose/v1/service/quotaUsed`, validated. */
  async getQuotaUsed(): Promise<QuotaUsedData> {
    const { answer, context } = await this.#send("GET", QUOTA_USED_PATH);
    return parseQuotaUsedAnswer(answer, context);
  }

  /** The figures with the derived ones (remaining seats and quota, GB, percentages). */
  async getServiceUsage(): Promise<GetServiceUsageResult> {
    return deriveUsage(await this.getQuotaUsed(), this.#settings.usedSpaceUnit);
  }

  /** Closes idle connections. */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  /** The body with any credential the service echoed back replaced, so no error can carry it. */
  #withoutSecrets(body: string): string {
    const { credentials } = this.#settings;
    const secret = credentials.mode === "token" ? credentials.token.reveal() : credentials.appSecret.reveal();
    const bare = secret.replace(/^bearer[ +]/i, "");
    return bare.length < 4 ? body : body.split(bare).join("[secret]");
  }

  /** Sends with retries; returns the first 2xx answer, or throws the last failure. */
  async #send(method: string, path: string): Promise<{ answer: RawAnswer; context: KooDriveErrorContext }> {
    const { timeoutMs, retries, deadlineMs, retryBaseDelayMs } = this.#settings;
    const deadline = Date.now() + deadlineMs;
    const url = apiUrl(this.#settings.endpoint, path);
    for (let attempt = 1; ; attempt++) {
      const traceId = newTraceId();
      const context: KooDriveErrorContext = { traceId, attempts: attempt };
      const outcome = await this.#attempt(method, url, traceId, Math.min(timeoutMs, deadline - Date.now()), context);
      if ("answer" in outcome && outcome.answer.status >= 200 && outcome.answer.status < 300) {
        return { answer: outcome.answer, context };
      }
      const failure = "answer" in outcome ? errorFromAnswer(outcome.answer, context) : outcome.error;
      const retryable = "answer" in outcome ? isRetryableStatus(outcome.answer.status) : true;
      if (!retryable || attempt > retries) throw failure;
      const wait =
        ("answer" in outcome ? retryAfterMs(outcome.retryAfter) : undefined) ??
        backoffDelayMs(attempt - 1, retryBaseDelayMs);
      if (Date.now() + wait >= deadline) throw failure;
      await sleep(wait);
    }
  }

  async #attempt(
    method: string,
    url: URL,
    traceId: string,
    timeoutMs: number,
    context: KooDriveErrorContext,
  ): Promise<{ answer: RawAnswer; retryAfter: string | undefined } | { error: KooDriveError }> {
    const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
    let answered = false;
    try {
      const response = await request(url, {
        method: method as "GET",
        dispatcher: this.#dispatcher,
        signal,
        headers: {
          accept: "application/json",
          "user-agent": `pulumi-koodrive/${PACKAGE_VERSION}`,
          "x-traceid": traceId,
          ...authHeaders(this.#settings.credentials, method, url),
        },
      });
      answered = true;
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      return {
        answer: {
          status: response.statusCode,
          contentType: header("content-type") ?? "",
          body: this.#withoutSecrets(await readBody(response.body)),
        },
        retryAfter: header("retry-after"),
      };
    } catch (error) {
      if (signal.aborted) {
        return {
          error: new TimeoutError(
            "KooDrive did not answer in time",
            `no ${answered ? "complete answer" : "answer"} from ${url.host} within ${timeoutMs} ms`,
            { ...context, cause: error },
          ),
        };
      }
      return {
        error: new NetworkError(
          answered ? "answer cut off" : "cannot reach KooDrive",
          describeNetworkFailure(error, url, answered),
          { ...context, cause: error },
        ),
      };
    }
  }
}
