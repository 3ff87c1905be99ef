import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const RUNTIME = path.join(__dirname, "../../provider/dynamic/runtime.js");
const LAZY = path.join(__dirname, "../../provider/process/zod-locales.js");

/** Runs `script` in a fresh Node process (with `path` in scope) and returns what it printed, parsed. */
async function inFreshProcess<T>(script: string): Promise<T> {
  const { stdout } = await run(process.execPath, ["-e", `const path = require("node:path");\n${script}`]);
  return JSON.parse(stdout) as T;
}

describe("zod's locales in the provider process", () => {
  it("are the ones zod's own index has, by the same names, each the same function", async () => {
    const { ownNames, lazyNames, differ } = await inFreshProcess<{
      ownNames: string[];
      lazyNames: string[];
      differ: string[];
    }>(`
      const index = require.resolve("zod/v4/locales");
      const own = require(index); // zod's own index, loaded first: the module below then changes nothing
      const lazy = require(${JSON.stringify(LAZY)}).lazyLocales(path.dirname(index));
      const differ = Object.keys(own).filter((name) => lazy[name] !== own[name]);
      console.log(JSON.stringify({ ownNames: Object.keys(own).sort(), lazyNames: Object.keys(lazy).sort(), differ }));`);
    assert.ok(ownNames.length > 1);
    assert.deepEqual(lazyNames, ownNames);
    assert.deepEqual(differ, []);
  });

  it("load only English with the runtime, and any other on first use", async () => {
    const { before, after, german } = await inFreshProcess<{ before: string[]; after: string[]; german: string }>(`
      require(${JSON.stringify(RUNTIME)});
      const loaded = () => Object.keys(require.cache).filter((f) => /zod[\\\\/]v4[\\\\/]locales[\\\\/](?!index)/.test(f)).map((f) => path.basename(f)).sort();
      const z = require("zod");
      const before = loaded();
      z.config(z.locales.de());
      const german = z.string().safeParse(1).error.issues[0].message;
      console.log(JSON.stringify({ before, after: loaded(), german }));
      process.exit(0);`);
    assert.deepEqual(before, ["en.cjs"]);
    assert.deepEqual(after, ["de.cjs", "en.cjs"]);
    assert.match(german, /Ungültige Eingabe/);
  });
});
