/** Redaction of credentials in every form a server can echo them, and cleaning of server text for terminals. */

const REDACTED = "[secret]";
/** Server text longer than this is cut, saying so. */
export const MAX_SERVER_TEXT = 500;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One character as a pattern matching it raw, JSON-escaped (`\u002f`, `\/`) or percent-encoded (`%2F`, `+` for space). */
function characterPattern(char: string): string {
  const forms = [escapeRegExp(char)];
  const code = char.codePointAt(0) ?? 0;
  if (code <= 0xffff) forms.push(`\\\\u${code.toString(16).padStart(4, "0")}`);
  forms.push(`\\\\${escapeRegExp(char)}`);
  for (const byte of Buffer.from(char, "utf8")) forms.push(`%${byte.toString(16).padStart(2, "0")}`);
  if (char === " ") forms.push("\\+");
  return `(?:${forms.join("|")})`;
}

/** The base64 (and base64url) text fully determined by `secret`, at each of the three byte alignments. */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const first = Math.ceil((8 * offset) / 6);
    const last = Math.floor((8 * (offset + bytes.length)) / 6); // exclusive
    const core = encoded.slice(first, last);
    if (core.length >= 4) cores.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return cores;
}

/** The shortest part of a secret redacted on its own: any run of this many of its characters or more. */
export const MIN_SECRET_RUN = 8;

/** A text to find runs of: the secret as written, or its bytes in hex (found in either case). */
interface RunSource {
  text: string;
  minRun: number;
  /** Makes a text comparable with `text` without changing its length. */
  fold: (text: string) => string;
  /** Where each `minRun`-long window of `text` starts in it. */
  starts: Map<string, number[]>;
}

/** A run source for `text`, its windows indexed once, when the redactor is made. */
function runSource(text: string, minRun: number, fold: (text: string) => string): RunSource {
  const starts = new Map<string, number[]>();
  for (let at = 0; at + minRun <= text.length; at++) {
    const window = text.slice(at, at + minRun);
    starts.set(window, [...(starts.get(window) ?? []), at]);
  }
  return { text, minRun, fold, starts };
}

const asIs = (text: string) => text;
const lowerHex = (text: string) => text.replace(/[A-F]/g, (char) => char.toLowerCase());

/** Each run of `minRun` or more characters of a source in `text`, as [start, end) ranges, longest first at each place. */
function runsIn(text: string, source: RunSource): [number, number][] {
  const { text: whole, minRun, starts } = source;
  if (starts.size === 0) return [];
  const folded = source.fold(text);
  const ranges: [number, number][] = [];
  let index = 0;
  while (index + minRun <= folded.length) {
    const candidates = starts.get(folded.slice(index, index + minRun)) ?? [];
    let longest = 0;
    for (const start of candidates) {
      let length = minRun;
      while (start + length < whole.length && folded[index + length] === whole[start + length]) length++;
      longest = Math.max(longest, length);
    }
    if (longest === 0) {
      index++;
    } else {
      ranges.push([index, index + longest]);
      index += longest;
    }
  }
  return ranges;
}

/** `text` with every range of `ranges` replaced by `[secret]`, ranges that touch or overlap by one. */
function replaceRanges(text: string, ranges: [number, number][]): string {
  let result = "";
  let done = -1; // the end of the last range replaced; -1 before the first
  for (const [start, end] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start <= done) {
      done = Math.max(done, end);
      continue;
    }
    result += text.slice(Math.max(done, 0), start) + REDACTED;
    done = end;
  }
  return result + text.slice(Math.max(done, 0));
}

/**
 * A function that replaces each of `secrets` (and `Bearer <secret>`) in a text by `[secret]`, whether
 * it appears raw, JSON-escaped, percent-encoded, base64-encoded or in hex (either case), and any run of
 * `MIN_SECRET_RUN` or more of its characters (a suffix or a middle part, raw or in hex), as servers
 * that shorten a credential for display echo it. Secrets shorter than 4 characters are left alone:
 * they would match everywhere.
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const usable = secrets.filter((secret) => secret.length >= 4);
  if (usable.length === 0) return (text) => text;
  const hex = (secret: string) => Buffer.from(secret, "utf8").toString("hex");
  const patterns = usable.flatMap((secret) => [
    `(?:${[...secret].map(characterPattern).join("")})`,
    ...base64Cores(secret).map(escapeRegExp),
    hex(secret),
  ]);
  const pattern = new RegExp(patterns.sort((a, b) => b.length - a.length).join("|"), "gi");
  const sources = usable.flatMap((secret) => [
    runSource(secret, MIN_SECRET_RUN, asIs),
    runSource(hex(secret), 2 * MIN_SECRET_RUN, lowerHex),
  ]);
  return (text) => {
    const whole = text.replace(pattern, REDACTED);
    return replaceRanges(
      whole,
      sources.flatMap((source) => runsIn(whole, source)),
    );
  };
}

// C0 and C1 controls, DEL, line/paragraph separators and bidirectional overrides: anything that can move
// the cursor, ring, clear or reorder what a terminal shows.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what is removed
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** Server-provided text made safe to print: control characters become a space, and long text is cut, saying so. */
export function serverText(text: string, max = MAX_SERVER_TEXT): string {
  const clean = text.replace(UNSAFE, " ");
  return clean.length <= max ? clean : `${clean.slice(0, max)}… (cut: ${clean.length} characters in all)`;
}
