import assert from "node:assert/strict";
import fc from "fast-check";
import { MIN_SECRET_RUN, secretRedactor } from "../../provider/client/redact";
import { SECRET_ENCODINGS, TEST_TOKEN } from "../helpers/secrets";

const hex = (text: string) => Buffer.from(text, "utf8").toString("hex");

describe("secretRedactor", () => {
  const redact = secretRedactor([TEST_TOKEN]);

  it("redacts the secret in hex, in either case", () => {
    assert.equal(redact(`token=${hex(TEST_TOKEN)};`), "token=[secret];");
    assert.equal(redact(`token=${hex(TEST_TOKEN).toUpperCase()};`), "token=[secret];");
  });

  it(`redacts a suffix, a prefix or a middle part of ${MIN_SECRET_RUN} characters or more, leaving the text around it`, () => {
    assert.equal(redact(`token …${TEST_TOKEN.slice(-MIN_SECRET_RUN)} rejected`), "token …[secret] rejected");
    assert.equal(redact(`token ${TEST_TOKEN.slice(0, 12)}… rejected`), "token [secret]… rejected");
    assert.equal(redact(`(${TEST_TOKEN.slice(4, 20)})`), "([secret])");
    assert.equal(redact(`${TEST_TOKEN.slice(0, 9)} and ${TEST_TOKEN.slice(-9)}`), "[secret] and [secret]");
  });

  it("redacts a run of the secret's hex of 2 × 8 digits or more, in either case", () => {
    assert.equal(redact(`<${hex(TEST_TOKEN).slice(5, 5 + 2 * MIN_SECRET_RUN)}>`), "<[secret]>");
    assert.equal(redact(`<${hex(TEST_TOKEN).slice(-20).toUpperCase()}>`), "<[secret]>");
  });

  it("leaves shorter runs alone, so that common words and numbers are not taken for the secret", () => {
    const short = TEST_TOKEN.slice(-(MIN_SECRET_RUN - 1));
    assert.equal(redact(`ends in ${short}`), `ends in ${short}`);
    assert.equal(redact("quota 1024 GB, trace id 0123456789abcdef"), "quota 1024 GB, trace id 0123456789abcdef");
  });

  it("still redacts the whole forms: raw, JSON-escaped, percent-encoded and base64", () => {
    for (const [encoding, encode] of Object.entries(SECRET_ENCODINGS)) {
      assert.ok(!redact(`x ${encode(TEST_TOKEN)} y`).includes(encode(TEST_TOKEN)), encoding);
    }
  });

  it("never leaves a run of 8 characters of the secret, or 16 digits of its hex, anywhere in a text (property)", () => {
    const secretChar = fc.constantFrom(..."abcdefXYZ0129+/=-_.~!".split(""));
    const secret = fc.array(secretChar, { minLength: 4, maxLength: 60 }).map((chars) => chars.join(""));
    // Text around the run, from characters no secret here contains, so it must come back as it was.
    const other = fc.string({ unit: fc.constantFrom(..."ghijk ,;:()<>[]".split("")), maxLength: 12 });
    fc.assert(
      fc.property(
        secret,
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        fc.boolean(),
        other,
        other,
        (secret, from, length, inHex, upper, before, after) => {
          const whole = inHex ? hex(secret) : secret;
          const minRun = inHex ? 2 * MIN_SECRET_RUN : MIN_SECRET_RUN;
          if (whole.length < minRun) return;
          const start = from % (whole.length - minRun + 1);
          const run = whole.slice(start, start + minRun + (length % (whole.length - start - minRun + 1)));
          const echoed = inHex && upper ? run.toUpperCase() : run;
          assert.equal(secretRedactor([secret])(`${before}${echoed}${after}`), `${before}[secret]${after}`);
        },
      ),
      { numRuns: 500 },
    );
  });
});
