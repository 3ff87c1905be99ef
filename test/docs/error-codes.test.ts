/**
 * The codes table users read (docs/_index.md, "Error codes") is the error model's: one row per class of
 * provider/client/errors.ts with its code, every code of `KooDriveErrorCode` thrown by exactly one class,
 * and every class reachable from `pulumi-koodrive/client`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../harness/engine";
import * as client from "../../sdk/nodejs/client";

const errorsSource = readFileSync(path.join(REPO_ROOT, "provider/client/errors.ts"), "utf8");

/** Each class of the errors module that has a code of its own, with that code (the base class has none). */
function classCodes(): Map<string, string> {
  const classes = errorsSource.split(/^(?=export class )/m).slice(1);
  const codes = new Map<string, string>();
  for (const text of classes) {
    const name = /^export class (\w+)/.exec(text)?.[1];
    const code = /"(ERR_KOODRIVE_[A-Z_]+)"/.exec(text.split(/^export (?!class)/m)[0] ?? "")?.[1];
    if (name && code) codes.set(name, code);
  }
  return codes;
}

/** The codes `KooDriveErrorCode` lists. */
function unionCodes(): string[] {
  const union = /export type KooDriveErrorCode =([^;]+);/.exec(errorsSource)?.[1] ?? "";
  return [...union.matchAll(/"(ERR_KOODRIVE_[A-Z_]+)"/g)].map((match) => match[1] ?? "");
}

/** The rows of the docs' codes table: class by code. */
function documentedCodes(): Map<string, string> {
  const docs = readFileSync(path.join(REPO_ROOT, "docs/_index.md"), "utf8");
  const section = docs.slice(docs.indexOf("### Error codes"));
  const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| code |")));
  return new Map(
    [...table.matchAll(/^\| `(ERR_KOODRIVE_[A-Z_]+)` \| `(\w+)` \|/gm)].map((row) => [row[2] ?? "", row[1] ?? ""]),
  );
}

describe("the error codes table", () => {
  it("lists every class of the errors module with its code, and nothing else", () => {
    const codes = classCodes();
    assert.ok(codes.size >= 10, `found ${codes.size} classes`);
    assert.deepEqual(documentedCodes(), codes);
  });

  it("gives each code of KooDriveErrorCode to exactly one class", () => {
    const thrown = [...classCodes().values()];
    assert.deepEqual([...thrown].sort(), [...unionCodes()].sort());
    assert.equal(new Set(thrown).size, thrown.length, "no code is shared");
  });

  it("exports every class, and isKooDriveError, from pulumi-koodrive/client", () => {
    for (const name of classCodes().keys()) {
      assert.equal(typeof (client as Record<string, unknown>)[name], "function", name);
    }
    assert.ok(client.isKooDriveError(new client.CancelledError()));
    assert.equal(new client.CancelledError().code, "ERR_KOODRIVE_CANCELLED");
  });
});
