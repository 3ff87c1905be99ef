/**
 * One answer KooDrive gave, as `koodrive-usage --record DIR` keeps it and `koodrive-sim --replay DIR`
 * serves it again: the request line and headers, the status, headers and body of the answer, with every
 * credential taken out (the client hands it over already redacted, see `recordableHeaders`).
 */
export interface RecordedAnswer {
  /** What was asked. */
  request: {
    /** `METHOD /path?query`, e.g. `GET /koodrive/ose/v1/service/quotaUsed`. */
    line: string;
    /** The headers sent, names in lower case; `authorization` (token or signature) is `[secret]`. */
    headers: Record<string, string>;
  };
  /** What came back. */
  response: {
    status: number;
    /** The headers received, names in lower case; any that may carry a credential is `[secret]`. */
    headers: Record<string, string>;
    /** The body as received (at most 1 MB), with any credential the service echoed redacted. */
    body: string;
  };
}

/** Called with each answer the client gets, for a recording. */
export type AnswerObserver = (answer: RecordedAnswer) => void;

/** What a header that may carry a credential is recorded as. */
export const REDACTED_HEADER = "[secret]";

/** Header names that may carry a credential, a signature or a session: recorded as `[secret]` whatever they hold. */
const CREDENTIAL_HEADER = /auth|cookie|token|secret|signature|credential|api-?key|session|password/i;

/**
 * Headers as a recording keeps them: names in lower case, repeated values joined with `, `, any header
 * whose name may carry a credential replaced by `[secret]`, and every other value passed through
 * `redact` (the client's redactor of its own credential, in every encoding).
 */
export function recordableHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  redact: (text: string) => string,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = typeof value === "string" ? value : value.join(", ");
    kept[name.toLowerCase()] = CREDENTIAL_HEADER.test(name) ? REDACTED_HEADER : redact(text);
  }
  return kept;
}

/** A recording's file: one answer, and who recorded it when. `koodrive-sim --replay` reads `answer`. */
export interface RecordingFile {
  /** The program and its version, e.g. `koodrive-usage 1.2.0`. */
  recordedBy: string;
  /** When the answer came, ISO 8601 on the local clock. */
  recordedAt: string;
  answer: RecordedAnswer;
}
