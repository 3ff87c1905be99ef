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

/** Any JSON value, or a valid figure (number or digit string) most of the time. */
const fieldValue = (valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: valid }, fc.jsonValue());

/** `data` objects close to valid: each field valid, malformed, or missing, plus unknown extra fields. */
const nearlyValidData = fc
  .tuple(
    fc.record(
      Object.fromEntries(
        QUOTA_USED_FIELDS.map((field) => [
          field,
          field === "productType"
            ? fieldValue(fc.string())
            : fieldValue(fc.oneof(fc.nat(), fc.nat().map(String), fc.integer({ min: -5, max: -1 }))),
        ]),
      ),
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
  )
  .map(([fields, extra]) => ({ ...extra, ...fields }));

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
      fc.assert(
        fc.property(fc.oneof(fc.constant(0), fc.constant("0"), fc.jsonValue()), nearlyValidData, (code, data) => {
          const parsed = parseOutcome(JSON.stringify({ code, msg: "m", data })).data;
          if (!parsed) return;
          for (const field of QUOTA_USED_FIELDS) {
            const value: unknown = parsed[field];
            if (field === "productType") assert.equal(value, (data as Record<string, unknown>)[field]);
            else assert.ok(Number.isSafeInteger(value) && (value as number) >= 0, `${field} = ${String(value)}`);
          }
        }),
        { numRuns: 1000 },
      );
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
