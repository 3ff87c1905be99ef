import assert from "node:assert/strict";
import fc from "fast-check";
import { isKooDriveError } from "../../provider/client/errors";
import { DOCUMENTED_EXAMPLE, QUOTA_USED_FIELDS, type QuotaUsedData } from "../../provider/client/quota-used";
import { parseQuotaUsedAnswer } from "../../provider/client/response";
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  signAppRequest,
  signature,
} from "../../provider/client/signing";
import {
  expectedCanonicalQuery,
  expectedCanonicalRequest,
  expectedCanonicalUri,
  expectedSignature,
  percentEncode,
} from "../helpers/app-signature";

const CONTEXT = { traceId: "t".repeat(58), attempts: 1 };

/** Parses `body`; returns the outcome, and fails the property on anything thrown that is not a KooDriveError. */
function parseOutcome(body: string, contentType = "application/json"): { data?: QuotaUsedData; error?: unknown } {
  try {
    return { data: parseQuotaUsedAnswer({ status: 200, contentType, body }, CONTEXT) };
  } catch (error) {
    assert.ok(isKooDriveError(error), `threw ${String(error)} for ${body.slice(0, 200)}`);
    return { error };
  }
}

type QuotaField = (typeof QUOTA_USED_FIELDS)[number];

/** A figure as KooDrive may send it: a safe whole number ≥ 0, or its digits quoted (up to 15 of them). */
const validFigure = fc.oneof(
  fc.maxSafeNat(),
  fc.nat().map(String),
  fc.integer({ min: 0, max: 999_999_999_999_999 }).map(String),
);

/** A figure the parser must refuse: negative, fractional, beyond the safe range, or not a number or digits. */
const invalidFigure = fc.oneof(
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 2 ** 53, max: 1e300, noNaN: true }),
  fc.integer({ min: 0, max: 9_999 }).map((n) => `${"9".repeat(16)}${n}`),
  fc.constantFrom("", "-1", "1.5", "1e3", " 1", "0x10", "many"),
  fc.constantFrom(null, true, false),
  fc.array(fc.nat(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.nat(), { maxKeys: 2 }),
);

/** A productType the parser must refuse: anything but a string. */
const invalidProductType = fc.oneof(fc.integer(), fc.constantFrom(null, true), fc.array(fc.string(), { maxLength: 2 }));

/** A valid `data` object: all 17 fields well formed, plus unknown extra fields the parser drops. */
const validData = fc
  .tuple(
    fc.record(
      Object.fromEntries(
        QUOTA_USED_FIELDS.map((field) => [field, field === "productType" ? fc.string() : validFigure]),
      ) as Record<QuotaField, fc.Arbitrary<unknown>>,
    ),
    fc.dictionary(
      fc.string().filter((key) => !(QUOTA_USED_FIELDS as readonly string[]).includes(key)),
      fc.jsonValue(),
      { maxKeys: 3 },
    ),
  )
  .map(([fields, extra]) => ({ fields, extra }));

/**
 * What is done to one field of a valid `data`: nothing (most runs), something the parser must refuse
 * (the field missing or malformed), or any JSON value, whose fate the property does not predict.
 */
const change = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: "none" as const }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(...QUOTA_USED_FIELDS).chain((field) =>
      fc.oneof(
        fc.constant({ kind: "invalid" as const, field, value: undefined as unknown }),
        (field === "productType" ? invalidProductType : invalidFigure).map((value: unknown) => ({
          kind: "invalid" as const,
          field,
          value,
        })),
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...QUOTA_USED_FIELDS), fc.jsonValue())
      .map(([field, value]) => ({ kind: "any" as const, field, value: value as unknown })),
  },
);

/** The envelope's code: 0 as a number or a string most of the time, else any JSON value. */
const envelopeCode = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<unknown>(0, "0") },
  { weight: 1, arbitrary: fc.jsonValue() },
);

/** A path segment the URL parser keeps as one segment: no `/`, `\`, `%`, `?`, `#`, and not a dot segment. */
const segment = fc
  .string({ unit: "binary", maxLength: 12 })
  .filter((text) => !/[/\\%?#]/.test(text) && text !== "." && text !== "..");

/** A header value as HTTP carries it: visible ASCII with spaces and tabs, padded on either side. */
const headerValue = fc
  .tuple(
    fc.stringMatching(/^[ \t]{0,3}$/),
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 20 }),
    fc.stringMatching(/^[ \t]{0,3}$/),
  )
  .map((parts) => parts.join(""));

const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);

/** Query parameters as name/value pairs, names repeating sometimes. */
const queryPairs = fc.array(
  fc.tuple(fc.oneof(fc.constantFrom("a", "b", "A"), fc.string({ unit: "binary" })), fc.string({ unit: "binary" })),
  { maxLength: 6 },
);

describe("properties", () => {
  describe("parseQuotaUsedAnswer", () => {
    it("throws nothing but KooDriveErrors for arbitrary strings", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary" }), fc.string(), (body, contentType) => {
          parseOutcome(body, contentType);
        }),
        { numRuns: 500 },
      );
    });

    it("throws nothing but KooDriveErrors for arbitrary JSON", () => {
      fc.assert(
        fc.property(fc.json(), (body) => {
          parseOutcome(body);
        }),
        { numRuns: 500 },
      );
    });

    it("throws nothing but KooDriveErrors for arbitrary envelopes, and accepts only whole figures ≥ 0", () => {
      // Bodies are built to parse unless a change or the code says otherwise, so that most runs reach
      // an assertion on the outcome; the counts below fail the test when they stop doing so.
      const runs = { all: 0, judged: 0, accepted: 0, refused: 0 };
      fc.assert(
        fc.property(envelopeCode, validData, change, (code, { fields, extra }, changed) => {
          runs.all += 1;
          const data: Record<string, unknown> = { ...extra, ...fields };
          if (changed.kind !== "none") {
            if (changed.value === undefined) delete data[changed.field];
            else data[changed.field] = changed.value;
          }
          const codeIsZero = (typeof code === "number" || typeof code === "string") && String(code) === "0";
          const outcome = parseOutcome(JSON.stringify({ code, msg: "m", data }));
          const parsed = outcome.data;
          if (parsed) {
            // Whatever was accepted holds only whole figures ≥ 0, the string productType as sent, and
            // each untouched field's value as sent (digits read as their number), and no extra field.
            assert.ok(codeIsZero, `accepted code ${JSON.stringify(code)}`);
            assert.notEqual(changed.kind, "invalid", `accepted ${JSON.stringify(changed)}`);
            assert.deepEqual(Object.keys(parsed).sort(), [...QUOTA_USED_FIELDS].sort());
            for (const field of QUOTA_USED_FIELDS) {
              const value: unknown = parsed[field];
              if (field === "productType") assert.equal(value, data[field]);
              else assert.ok(Number.isSafeInteger(value) && (value as number) >= 0, `${field} = ${String(value)}`);
              if (changed.kind === "none" || changed.field !== field) {
                assert.equal(value, field === "productType" ? fields[field] : Number(fields[field]));
              }
            }
            runs.judged += 1;
            runs.accepted += 1;
            return;
          }
          // Refused: that must be for the code or the change, never for a valid body with code 0.
          if (codeIsZero && changed.kind === "none") assert.fail(`refused a valid body: ${String(outcome.error)}`);
          if (codeIsZero && changed.kind === "invalid") {
            assert.match(String(outcome.error), new RegExp(`data\\.${changed.field}\\b`));
          }
          if (changed.kind !== "any" || !codeIsZero) {
            runs.judged += 1;
            runs.refused += 1;
          }
        }),
        { numRuns: 1000 },
      );
      assert.ok(runs.judged >= 0.85 * runs.all, `only ${runs.judged} of ${runs.all} runs reached an assertion`);
      assert.ok(runs.accepted >= 0.4 * runs.all, `only ${runs.accepted} of ${runs.all} bodies were accepted`);
      assert.ok(runs.refused >= 0.2 * runs.all, `only ${runs.refused} of ${runs.all} bodies were refused`);
    });

    it("reads digit strings as the numbers they spell, and drops unknown fields", () => {
      fc.assert(
        fc.property(
          fc.record(Object.fromEntries(QUOTA_USED_FIELDS.map((field) => [field, fc.boolean()]))),
          fc.dictionary(
            fc.string({ minLength: 1 }).filter((key) => !(key in DOCUMENTED_EXAMPLE)),
            fc.jsonValue(),
          ),
          (quote, extra) => {
            const data = Object.fromEntries(
              Object.entries(DOCUMENTED_EXAMPLE).map(([key, value]) => [key, quote[key] ? String(value) : value]),
            );
            const outcome = parseOutcome(JSON.stringify({ code: 0, data: { ...extra, ...data } }));
            assert.deepEqual(outcome.data, { ...DOCUMENTED_EXAMPLE });
          },
        ),
      );
    });
  });

  describe("request signing against an independent implementation", () => {
    it("canonicalUri encodes each segment and ends in / for unencoded paths", () => {
      fc.assert(
        fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
          assert.equal(canonicalUri(`/${segments.join("/")}`), expectedCanonicalUri(segments));
        }),
      );
    });

    it("canonicalUri gives the same for the path as a URL carries it (already percent-encoded)", () => {
      fc.assert(
        fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
          const url = new URL("https://koodrive.example.com");
          url.pathname = `/${segments.map(encodeURIComponent).join("/")}`;
          assert.equal(canonicalUri(url.pathname), expectedCanonicalUri(segments));
        }),
      );
    });

    it("canonicalQueryString sorts by decoded name, then value, and percent-encodes both", () => {
      fc.assert(
        fc.property(queryPairs, (pairs) => {
          const query = canonicalQueryString(new URLSearchParams(pairs));
          assert.equal(query, expectedCanonicalQuery(pairs));
          for (const part of query === "" ? [] : query.split("&"))
            assert.match(part, /^[A-Za-z0-9\-_.~%]*=[A-Za-z0-9\-_.~%]*$/);
        }),
      );
    });

    it("sorts the parameters as decoded, as Huawei Cloud's own SDK signer does: a=1&a-=2", () => {
      const params = new URLSearchParams("a-=2&a=1&%C3%A9=3&z=4&a=0");
      const expected = "a=0&a=1&a-=2&z=4&%C3%A9=3";
      assert.equal(expectedCanonicalQuery([...params]), expected);
      assert.equal(canonicalQueryString(params), expected);
    });

    it("percent-encodes a space as %20 and leaves unreserved characters alone", () => {
      assert.equal(canonicalQueryString(new URLSearchParams([["a b", "x+y~z"]])), "a%20b=x%2By~z");
      assert.equal(percentEncode("a b+~"), "a%20b%2B~");
    });

    it("canonicalRequest and signature agree for arbitrary paths, parameters and header values", () => {
      fc.assert(
        fc.property(
          fc.constantFrom("GET", "get", "POST"),
          fc.array(segment, { minLength: 1, maxLength: 4 }),
          queryPairs,
          fc.uniqueArray(fc.tuple(headerName, headerValue), {
            minLength: 1,
            maxLength: 5,
            selector: ([name]) => name.toLowerCase(),
          }),
          fc.string(),
          fc.string({ minLength: 1 }),
          (method, segments, pairs, headers, body, secret) => {
            const url = new URL("https://koodrive.example.com");
            url.pathname = `/${segments.map(encodeURIComponent).join("/")}`;
            url.search = new URLSearchParams(pairs).toString();
            const headerRecord = Object.fromEntries(headers);
            const actual = canonicalRequest({ method, url, headers: headerRecord, body });
            const expected = expectedCanonicalRequest({
              method,
              canonicalUri: expectedCanonicalUri(segments),
              canonicalQuery: expectedCanonicalQuery(pairs),
              headers: headerRecord,
              body,
            });
            assert.equal(actual.text, expected);
            assert.equal(signature(secret, actual.text), expectedSignature(secret, expected));
          },
        ),
      );
    });

    it("signAppRequest's Authorization matches the independent signature for any app and time", () => {
      fc.assert(
        fc.property(
          fc.array(segment, { minLength: 1, maxLength: 4 }),
          fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
          fc.string({ minLength: 1 }),
          fc.stringMatching(/^\d{1,20}$/),
          fc.date({
            min: new Date("2000-01-01T00:00:00Z"),
            max: new Date("2099-12-31T23:59:59Z"),
            noInvalidDate: true,
          }),
          (segments, appId, appSecret, userId, now) => {
            const url = new URL("https://koodrive.example.com:8443");
            url.pathname = `/${segments.map(encodeURIComponent).join("/")}`;
            const headers = signAppRequest({ method: "GET", url }, { appId, appSecret, userId }, now);
            const xDate = now
              .toISOString()
              .replace(/\.\d+Z$/, "Z")
              .replace(/[-:]/g, "");
            assert.equal(headers["x-date"], xDate);
            assert.equal(headers.host, "koodrive.example.com:8443");
            const canonical = expectedCanonicalRequest({
              method: "GET",
              canonicalUri: expectedCanonicalUri(segments),
              canonicalQuery: "",
              headers: { host: "koodrive.example.com:8443", "x-date": xDate, "x-user-id": userId },
            });
            assert.equal(
              headers.authorization,
              `HMAC-SHA256 AppId=${appId},SignedHeaders=host;x-date;x-user-id,Signature=${expectedSignature(appSecret, canonical)}`,
            );
          },
        ),
      );
    });
  });
});
