/**
 * Which tier each compiled test file belongs to, by one rule that scripts/test.sh applies (through
 * `node dist/harness/test-tiers.js`) and test/harness/test-tiers.test.ts holds:
 * - `engine`: the files under `test/engine/`, and `test/package/consumer-types.test.ts` (it shares the
 *   engine tests' program workspace);
 * - `postgres`: every other file that loads `test/helpers/postgres` (the helper that starts a
 *   PostgreSQL server), directly or through any module it loads, or whose name starts `postgres-`;
 * - `unit`: the rest. It needs neither the engine nor PostgreSQL's binaries.
 * So a new test file lands in its tier by what it imports, with no list to keep.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** The tiers of the test suite. */
export type TestTier = "engine" | "postgres" | "unit";

/** The helper whose users are the PostgreSQL tier's, relative to the compiled test folder. */
const POSTGRES_HELPER = "helpers/postgres.js";

/** The engine tier's one file outside test/engine, relative to the compiled test folder. */
const CONSUMER_TYPES = "package/consumer-types.test.js";

/** The `.test.js` files under `folder`, relative to it, sorted. */
function testFiles(folder: string, under = ""): string[] {
  return readdirSync(path.join(folder, under), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = path.posix.join(under, entry.name);
      if (entry.isDirectory()) return testFiles(folder, relative);
      return entry.name.endsWith(".test.js") ? [relative] : [];
    })
    .sort();
}

/** What `requiredBy` found, by file: a module is read once however many tests load it. */
const requires = new Map<string, string[]>();

/** The modules of this repository that `file` requires (relative specifiers only; packages are not followed). */
function requiredBy(file: string): string[] {
  const known = requires.get(file);
  if (known) return known;
  const source = readFileSync(file, "utf8");
  const found = [...source.matchAll(/\brequire\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].flatMap(([, specifier = ""]) => {
    const target = path.resolve(path.dirname(file), specifier);
    const module = [target, `${target}.js`, path.join(target, "index.js")].find(
      (candidate) => candidate.endsWith(".js") && existsSync(candidate) && statSync(candidate).isFile(),
    );
    return module ? [module] : [];
  });
  requires.set(file, found);
  return found;
}

/** Whether `file` loads `target`, directly or through the modules it loads (`seen` guards cycles). */
function loads(file: string, target: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  return requiredBy(file).some((module) => module === target || loads(module, target, seen));
}

/** The tier of the compiled test file `file` (relative to `testRoot`, the compiled `test/` folder). */
export function tierOf(testRoot: string, file: string): TestTier {
  if (file.startsWith("engine/") || file === CONSUMER_TYPES) return "engine";
  if (path.posix.basename(file).startsWith("postgres-")) return "postgres";
  const helper = path.resolve(testRoot, POSTGRES_HELPER);
  return loads(path.resolve(testRoot, file), helper) ? "postgres" : "unit";
}

/** Every compiled test file under `testRoot` with its tier, in path order. */
export function testTiers(testRoot: string): { file: string; tier: TestTier }[] {
  return testFiles(testRoot).map((file) => ({ file, tier: tierOf(testRoot, file) }));
}

// `node dist/harness/test-tiers.js TIER`: the files of TIER, one `dist/test/...` path a line, for scripts/test.sh.
if (require.main === module) {
  const wanted = process.argv[2];
  if (wanted !== "engine" && wanted !== "postgres" && wanted !== "unit") {
    process.stderr.write(`usage: node dist/harness/test-tiers.js engine|postgres|unit (not ${String(wanted)})\n`);
    process.exitCode = 2;
  } else {
    for (const { file, tier } of testTiers(path.resolve(__dirname, "../test"))) {
      if (tier === wanted) process.stdout.write(`${path.posix.join("dist/test", file)}\n`);
    }
  }
}
