import { setTimeout as sleep } from "node:timers/promises";
import { rootCertificates } from "node:tls";
import type { Dispatcher } from "undici";
import type { z } from "zod";
import { type Added, addOnce, neverSent } from "./add-once";
import { apiUrl } from "./endpoint";
import {
  isKooDriveError,
  type KooDriveError,
  type KooDriveErrorContext,
  NetworkError,
  NotFoundError,
  redactError,
  TimeoutError,
  UnconfirmedAddError,
} from "./errors";
import { Agent, closeDispatcher, proxyAgentClass } from "./http-dispatchers";
import type { ClientOptions, Credentials } from "./options";
import { proxyName } from "./proxy";
import { QUOTA_USED_PATH, type QuotaUsedData } from "./quota-used";
import type { AnswerObserver, RecordedAnswer } from "./recording";
import { recordableHeaders } from "./recording";
import { secretRedactor } from "./redact";
import {
  errorFromAnswer,
  parseCodeAnswer,
  parseDataAnswer,
  parseQuotaUsedAnswer,
  parseSubscriptionAnswer,
  type RawAnswer,
} from "./response";
import { backoffDelayMs, isRetryableStatus, retryAfterMs } from "./retry";
import { signAppRequest } from "./signing";
import {
  checkSpaceFields,
  containerPath,
  type NewSpace,
  type SpaceChange,
  type SpaceInfo,
  type SpaceSelector,
  type SpaceType,
  spaceKind,
  spaceListPath,
  spacePath,
} from "./spaces";
import { SUBSCRIPTION_PATH, type SubscriptionData } from "./subscription";
import { newTraceId } from "./trace-id";
import { checkUserFields, type KooDriveUser, type NewUser, USERS_PATH, type UserChange, userPath } from "./users";
import type { Validator } from "./validation";
import { kooDriveUserValidator, spaceInfoValidator, spaceListValidator } from "./validators";
import { PACKAGE_VERSION } from "./version";

/** Bodies larger than this are not KooDrive answers; reading stops there. */
const MAX_BODY_BYTES = 1024 * 1024;

function authHeaders(credentials: Credentials, method: string, url: URL, body?: string): Record<string, string> {
  if (credentials.mode === "token") {
    const token = credentials.token.reveal();
    return { authorization: /^bearer /i.test(token) ? token : `Bearer ${token}` };
  }
  return signAppRequest(
    { method, url, ...(body === undefined ? {} : { body }) },
    { appId: credentials.appId, appSecret: credentials.appSecret.reveal(), userId: credentials.userId },
  );
}

/** The body up to MAX_BODY_BYTES; `truncated` when there was more (the rest is not read). */
async function readBody(body: AsyncIterable<Buffer>): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { text: Buffer.concat(chunks).toString("utf8"), truncated: true };
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated: false };
}

function errorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown })?.code;
  if (typeof own === "string") return own;
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof cause === "string" ? cause : undefined;
}

/** A failure of the proxy itself (refused, 407, closed the tunnel), said so; undefined when it is not one. */
function describeProxyFailure(error: unknown, proxy: URL): string | undefined {
  const name = proxyName(proxy);
  const message = error instanceof Error ? error.message : String(error);
  const status = /Proxy response \((\d+)\)/.exec(message)?.[1];
  const port = Number(proxy.port || (proxy.protocol === "https:" ? 443 : 80));
  if (status === "407") {
    return `the proxy ${name} demands authentication (HTTP 407); put the proxy's user and password in HTTPS_PROXY, or add the host to NO_PROXY`;
  }
  if (status) return `the proxy ${name} refused to open a tunnel (HTTP ${status}); check HTTPS_PROXY and NO_PROXY`;
  const cause = (error as { cause?: { port?: unknown } })?.cause;
  if (errorCode(error) === "ECONNREFUSED" && ((error as { port?: unknown }).port ?? cause?.port) === port) {
    return `the proxy ${name} refused the connection; check HTTPS_PROXY (or HTTP_PROXY), or add the host to NO_PROXY`;
  }
  if (errorCode(error) === "UND_ERR_PRX_CONN") {
    return `the proxy ${name} closed the connection without opening a tunnel; check HTTPS_PROXY (or HTTP_PROXY), or add the host to NO_PROXY`;
  }
  return undefined;
}

/** A failed attempt, said in words a person can act on. */
function describeNetworkFailure(error: unknown, url: URL, answered: boolean, proxy: URL | undefined): string {
  const code = errorCode(error);
  const proxied = proxy && !answered && describeProxyFailure(error, proxy);
  if (proxied) return proxied;
  const where = proxy ? `${url.host} (through the proxy ${proxyName(proxy)})` : url.host;
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

/** The raw figures of one quotaUsed answer, and when they were read. */
export interface QuotaUsedReading {
  data: QuotaUsedData;
  /** KooDrive's clock when it answered (its `Date` header), else the local clock. */
  takenAt: Date;
  /** Whose clock `takenAt` is: `koodrive` (the `Date` header) or `local` (missing or unparseable). */
  clock: "koodrive" | "local";
}

/** One request: its method, path (with any query string) and JSON body. */
interface Request {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  body?: string;
  /**
   * `any`: sent again after any retryable failure (reads, and changes that set a value). `unsent`: sent
   * again only when it was never sent (adds: see add-once.ts).
   */
  retry?: "any" | "unsent";
}

/** What a delete found: `deleted`, or `absent` when KooDrive had no such user or space (when last asked). */
export type Deleted = "deleted" | "absent";

/**
 * KooDrive's service-usage API over HTTP, with timeouts, retries, proxies and app signing: the raw,
 * validated figures. Deriving the usage from them is provider/capacity's (`deriveUsage`).
 */
export class KooDriveHttpClient {
  readonly #settings: ClientOptions;
  readonly #proxy: URL | undefined;
  readonly #redact: (text: string) => string;
  readonly #observe: AnswerObserver | undefined;
  #dispatcher: Dispatcher;

  /**
   * Takes options already resolved and validated (provider/config's `resolveSettings`); `observe`, when
   * given, is handed each answer received, redacted, for a recording (recording.ts).
   */
  constructor(options: ClientOptions, observe?: AnswerObserver) {
    this.#settings = options;
    this.#observe = observe;
    this.#proxy = options.proxy;
    const { credentials } = options;
    const secret = credentials.mode === "token" ? credentials.token.reveal() : credentials.appSecret.reveal();
    this.#redact = secretRedactor([secret, secret.replace(/^bearer /i, "")]);
    this.#dispatcher = this.#newDispatcher();
  }

  /** A direct agent for loopback and NO_PROXY hosts, else one that tunnels through the proxy. */
  #newDispatcher(): Dispatcher {
    const tls = this.#settings.caCert ? { ca: [...rootCertificates, this.#settings.caCert] } : undefined;
    if (!this.#proxy) return new Agent(tls ? { connect: tls } : {});
    return new (proxyAgentClass())({ uri: this.#proxy.href, ...(tls ? { requestTls: tls } : {}) });
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
    return (await this.readQuotaUsed()).data;
  }

  /**
   * The tenant's subscription (`GET /koodrive/ose/v1/service`): its status and its `tenantId`, which
   * tells tenants apart whatever the endpoint or credential. One call, under the same deadline and
   * retries as the figures; call it beside {@link readQuotaUsed} to keep one round trip.
   */
  async readSubscription(): Promise<SubscriptionData> {
    return this.#call(async (signal) => {
      const { answer, context } = await this.#sendWithin({ method: "GET", path: SUBSCRIPTION_PATH }, signal);
      return parseSubscriptionAnswer(answer, context);
    });
  }

  /** {@link getQuotaUsed}, with when KooDrive answered: its `Date` header, else the local clock. */
  readQuotaUsed(): Promise<QuotaUsedReading> {
    return this.#call(async (signal) => {
      const { answer, context } = await this.#sendWithin({ method: "GET", path: QUOTA_USED_PATH }, signal);
      const data = parseQuotaUsedAnswer(answer, context);
      const serverTime = answer.date ? Date.parse(answer.date) : Number.NaN;
      return {
        data,
        takenAt: Number.isNaN(serverTime) ? new Date() : new Date(serverTime),
        clock: Number.isNaN(serverTime) ? "local" : "koodrive",
      };
    });
  }

  /**
   * Adds a user (`POST /koodrive/ose/v1/users`, one seat), then reads it back. The add is sent again only
   * when it was never sent; after an unclear failure the user is read back before anything else. Throws
   * `SeatLimitError`, `AlreadyExistsError` or another refusal as KooDrive answers it, and
   * `UnconfirmedAddError` when what happened cannot be told; never adds twice.
   */
  async createUser(user: NewUser): Promise<Added<KooDriveUser>> {
    checkUserFields(user, "user");
    const { userId, deptId, role } = user;
    const modifyUserInfoReq = { ...(deptId === undefined ? {} : { deptId }), ...(role === undefined ? {} : { role }) };
    return addOnce({
      what: `user ${userId}`,
      send: () =>
        this.#send({
          method: "POST",
          path: USERS_PATH,
          body: JSON.stringify({ userId, modifyUserInfoReq }),
          retry: "unsent",
        }),
      confirm: () => this.readUser(userId),
      readBack: () => this.readUser(userId),
    });
  }

  /** The user (`GET /koodrive/ose/v1/users/{userId}`); undefined when KooDrive has none by that id. */
  async readUser(userId: string): Promise<KooDriveUser | undefined> {
    checkUserFields({ userId }, "user id");
    return absentIfNotFound(this.#read(userPath(userId), kooDriveUserValidator, "user"));
  }

  /**
   * Changes a user's department, role or status (`PUT /koodrive/ose/v1/users/{userId}`), then reads it
   * back. Throws `NotFoundError` when there is no such user.
   */
  async updateUser(userId: string, change: UserChange): Promise<KooDriveUser> {
    checkUserFields({ userId, ...change }, "user change");
    await this.#send({ method: "PUT", path: userPath(userId), body: JSON.stringify(change) });
    return found(await this.readUser(userId), `user ${userId}`);
  }

  /** Deletes a user and, KooDrive says, "the corresponding resources" (`DELETE /koodrive/ose/v1/users/{userId}`). */
  async deleteUser(userId: string): Promise<Deleted> {
    checkUserFields({ userId }, "user id");
    return deleted(this.#send({ method: "DELETE", path: userPath(userId) }));
  }

  /**
   * Creates a department or personal space (`POST /koodrive/ose/v1/space/{ownerId}`) of `capacity` GB
   * from its pool. The owner's spaces of that type are listed first, so that after an unclear failure the
   * one the add made can be told from those that were there (one add per owner and type at a time, then).
   * Sent again only when never sent; throws `InsufficientSpaceError`, `AlreadyExistsError` (a
   * department's second space) or `UnconfirmedAddError` as `createUser` does.
   */
  async createSpace(space: NewSpace): Promise<Added<SpaceInfo>> {
    checkSpaceFields(space, "space");
    const { ownerId, type, capacity } = space;
    const before = new Set((await this.listSpaces(ownerId, type)).map((one) => one.containerId));
    const what = `a ${capacity} GB ${spaceKind(type)} space of ${ownerId}`;
    const made = async (): Promise<SpaceInfo | undefined> => {
      const fresh = (await this.listSpaces(ownerId, type)).filter((one) => !before.has(one.containerId));
      if (fresh.length <= 1) return fresh[0];
      throw new UnconfirmedAddError(
        "unknown",
        `cannot tell which space is ${what}`,
        `${fresh.length} spaces appeared beside it (${fresh.map((one) => one.containerId).join(", ")}): another client added at the same time; read them before adding again`,
      );
    };
    return addOnce({
      what,
      send: () =>
        this.#send({
          method: "POST",
          path: spacePath(ownerId),
          body: JSON.stringify({ capacity: String(capacity), type }),
          retry: "unsent",
        }),
      // The newer pages answer the space in `data`; the older answer `{code, msg}` alone.
      confirm: async (data) => spaceInfoValidator.outputOf(data) ?? made(),
      readBack: made,
    });
  }

  /** The owner's spaces (`GET /koodrive/ose/v2/space/{ownerId}`), of one type when given. */
  async listSpaces(ownerId: string, type?: SpaceType): Promise<SpaceInfo[]> {
    checkSpaceFields({ ownerId, ...(type === undefined ? {} : { type }) }, "space owner");
    return this.#read(spaceListPath(ownerId, type), spaceListValidator, "space list");
  }

  /** The space (`GET /koodrive/ose/v1/space/container/{containerId}`); undefined when there is none. */
  async readSpace(containerId: string): Promise<SpaceInfo | undefined> {
    checkSpaceFields({ containerId }, "container id");
    return absentIfNotFound(this.#read(containerPath(containerId), spaceInfoValidator, "space"));
  }

  /**
   * Changes a space's capacity or status (`PUT /koodrive/ose/v1/space/{ownerId}`), then reads it back.
   * A growth is allocated from the pool (`InsufficientSpaceError` when it does not fit); `NotFoundError`
   * when there is no such space.
   */
  async updateSpace(selector: SpaceSelector, change: SpaceChange): Promise<SpaceInfo> {
    checkSpaceFields({ ...selector, ...change }, "space change");
    const { ownerId, type, containerId } = selector;
    const body = {
      type,
      ...(containerId === undefined ? {} : { containerId }),
      ...(change.capacity === undefined ? {} : { capacity: String(change.capacity) }),
      ...(change.status === undefined ? {} : { status: String(change.status) }),
    };
    await this.#send({ method: "PUT", path: spacePath(ownerId), body: JSON.stringify(body) });
    const what = `the ${spaceKind(type)} space ${containerId === undefined ? "" : `${containerId} `}of ${ownerId}`;
    if (containerId !== undefined) return found(await this.readSpace(containerId), what);
    const spaces = await this.listSpaces(ownerId, type);
    return found(spaces.length === 1 ? spaces[0] : undefined, what);
  }

  /** Deletes a space, its data with it (`DELETE /koodrive/ose/v1/space/{ownerId}?type=&containerId=`). */
  async deleteSpace(selector: SpaceSelector): Promise<Deleted> {
    checkSpaceFields(selector, "space");
    const { ownerId, type, containerId } = selector;
    const query = new URLSearchParams({ type: String(type), ...(containerId === undefined ? {} : { containerId }) });
    return deleted(this.#send({ method: "DELETE", path: `${spacePath(ownerId)}?${query}` }));
  }

  /** A read under the call's deadline and retries, its `data` checked with `validator`. */
  #read<T>(path: string, validator: Validator<z.ZodType<T>>, what: string): Promise<T> {
    return this.#call(async (signal) => {
      const { answer, context } = await this.#sendWithin({ method: "GET", path }, signal);
      return parseDataAnswer(answer, context, validator, what);
    });
  }

  /** A change under the call's deadline; resolves with the answer's `data`, unread, once `code` is 0. */
  #send(request: Request): Promise<unknown> {
    return this.#call(async (signal) => {
      const { answer, context } = await this.#sendWithin(request, signal);
      return parseCodeAnswer(answer, context, `${request.method} ${request.path.split("?")[0]}`);
    });
  }

  /** Closes the connections, and drops any left hanging (a silent proxy's, say) instead of waiting on it. */
  async close(): Promise<void> {
    await closeDispatcher(this.#dispatcher);
  }

  /**
   * Runs one call under the deadline: when `deadlineMs` passes, whatever is under way (connect, proxy
   * CONNECT, TLS, headers, body, a backoff wait) is aborted, the dispatcher's sockets are destroyed, and
   * the call fails. Any credential the service echoed, in any encoding, is redacted from the error.
   */
  async #call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { deadlineMs } = this.#settings;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        const spent = this.#dispatcher;
        this.#dispatcher = this.#newDispatcher();
        void spent.destroy().catch(() => undefined);
        const through = this.#proxy ? ` through the proxy ${proxyName(this.#proxy)}` : "";
        reject(
          new TimeoutError(
            "KooDrive did not answer in time",
            `no complete answer from ${this.#settings.endpoint.host}${through} within the ${deadlineMs} ms deadline of the call`,
            {},
          ),
        );
      }, deadlineMs);
    });
    try {
      return await Promise.race([work(controller.signal), expired]);
    } catch (error) {
      throw isKooDriveError(error) ? redactError(error, this.#redact) : error;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  /**
   * Sends with retries within the call's deadline; returns the first 2xx answer, or throws the last
   * failure. A request with `retry: "unsent"` is sent again only when it was never sent.
   */
  async #sendWithin(
    request: Request,
    deadlineSignal: AbortSignal,
  ): Promise<{ answer: RawAnswer; context: KooDriveErrorContext }> {
    const { timeoutMs, retries, deadlineMs, retryBaseDelayMs } = this.#settings;
    const deadline = Date.now() + deadlineMs;
    const url = apiUrl(this.#settings.endpoint, request.path);
    for (let attempt = 1; ; attempt++) {
      const traceId = newTraceId();
      const context: KooDriveErrorContext = { traceId, attempts: attempt };
      const attemptMs = Math.max(1, Math.min(timeoutMs, deadline - Date.now()));
      const outcome = await this.#attempt(request, url, traceId, attemptMs, deadlineSignal, context);
      if ("answer" in outcome && outcome.answer.status >= 200 && outcome.answer.status < 300) {
        return { answer: outcome.answer, context };
      }
      const retryable =
        request.retry === "unsent"
          ? "error" in outcome && neverSent(outcome.error)
          : "answer" in outcome
            ? isRetryableStatus(outcome.answer.status)
            : true;
      if (!retryable || attempt > retries) {
        throw "answer" in outcome ? errorFromAnswer(outcome.answer, context) : outcome.error;
      }
      const asked = "answer" in outcome ? retryAfterMs(outcome.retryAfter) : undefined;
      const wait = asked ?? backoffDelayMs(attempt - 1, retryBaseDelayMs);
      if (Date.now() + wait >= deadline) {
        if (!("answer" in outcome)) throw outcome.error;
        const why =
          asked === undefined
            ? `gave up: no time left for another attempt within the ${deadlineMs} ms deadline`
            : `gave up: the service asked to retry after ${Math.ceil(asked / 1000)} s (Retry-After), beyond the ${deadlineMs} ms deadline`;
        throw errorFromAnswer(outcome.answer, context, why);
      }
      await sleep(wait, undefined, { signal: deadlineSignal });
    }
  }

  /**
   * An answer as a recording keeps it: the credential redacted in every encoding wherever it appears, and
   * the request's signature too, should the service echo it.
   */
  #recorded(
    line: string,
    sent: Readonly<Record<string, string>>,
    received: { statusCode: number; headers: Record<string, string | string[] | undefined> },
    body: string,
  ): RecordedAnswer {
    const signature = /Signature=([0-9a-f]+)/i.exec(sent.authorization ?? "")?.[1];
    const bySignature = secretRedactor(signature ? [signature] : []);
    const redact = (text: string) => bySignature(this.#redact(text));
    return {
      request: { line: redact(line), headers: recordableHeaders(sent, redact) },
      response: {
        status: received.statusCode,
        headers: recordableHeaders(received.headers, redact),
        body: redact(body),
      },
    };
  }

  async #attempt(
    { method, body: payload }: Request,
    url: URL,
    traceId: string,
    timeoutMs: number,
    deadlineSignal: AbortSignal,
    context: KooDriveErrorContext,
  ): Promise<{ answer: RawAnswer; retryAfter: string | undefined } | { error: KooDriveError }> {
    const signal = AbortSignal.any([deadlineSignal, AbortSignal.timeout(timeoutMs)]);
    let answered = false;
    try {
      const headers = {
        accept: "application/json",
        "user-agent": `pulumi-koodrive/${PACKAGE_VERSION}`,
        "x-traceid": traceId,
        ...(payload === undefined ? {} : { "content-type": "application/json" }),
        ...authHeaders(this.#settings.credentials, method, url, payload),
      };
      const response = await this.#dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        signal,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      });
      answered = true;
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const body = await readBody(response.body);
      this.#observe?.(this.#recorded(`${method} ${url.pathname}${url.search}`, headers, response, body.text));
      return {
        answer: {
          status: response.statusCode,
          contentType: header("content-type") ?? "",
          body: this.#redact(body.text),
          truncated: body.truncated,
          location: this.#redact(header("location") ?? ""),
          date: header("date") ?? "",
        },
        retryAfter: header("retry-after"),
      };
    } catch (error) {
      if (signal.aborted) {
        return {
          error: new TimeoutError(
            "KooDrive did not answer in time",
            `no ${answered ? "complete answer" : "answer"} from ${url.host}${this.#proxy ? ` through the proxy ${proxyName(this.#proxy)}` : ""} within ${timeoutMs} ms`,
            { ...context, cause: error },
          ),
        };
      }
      return {
        error: new NetworkError(
          answered ? "answer cut off" : "cannot reach KooDrive",
          describeNetworkFailure(error, url, answered, this.#proxy),
          { ...context, cause: error },
        ),
      };
    }
  }
}

/** The record, or a `NotFoundError` naming `what`: a change read back and found gone. */
function found<T>(record: T | undefined, what: string): T {
  if (record === undefined)
    throw new NotFoundError(`KooDrive has no ${what}`, "it was changed, then not found when read back");
  return record;
}

/** A read's record, or undefined when KooDrive has none (`NotFoundError`). */
async function absentIfNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** A delete's outcome: `absent` when KooDrive had no such user or space. */
async function deleted(sent: Promise<unknown>): Promise<Deleted> {
  try {
    await sent;
    return "deleted";
  } catch (error) {
    if (error instanceof NotFoundError) return "absent";
    throw error;
  }
}
