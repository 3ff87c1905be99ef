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

/**
 * A function that replaces each of `secrets` (and `Bearer <secret>`) in a text by `[secret]`, whether
 * it appears raw, JSON-escaped, percent-encoded or base64-encoded. Secrets shorter than 4 characters
 * are left alone: they would match everywhere.
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const usable = secrets.filter((secret) => secret.length >= 4);
  if (usable.length === 0) return (text) => text;
  const patterns = usable.flatMap((secret) => [
    `(?:${[...secret].map(characterPattern).join("")})`,
    ...base64Cores(secret).map(escapeRegExp),
  ]);
  const pattern = new RegExp(patterns.sort((a, b) => b.length - a.length).join("|"), "gi");
  return (text) => text.replace(pattern, REDACTED);
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
