/**
 * zod's locales for the provider process, each loaded when first used. zod's CommonJS build loads
 * all of its locale files (64) with any of its entry points, while the provider only ever words its
 * messages in English: that was some 8–14 ms of the runtime's load CPU (BENCHMARKS.md). Imported
 * before anything loads zod, this module puts in Node's module cache (`require.cache`, which Node
 * documents as open to adding entries) an index of the same locales, by the same names, whose
 * getters load each file on first use; a program's own use of `z.locales` in this process works as
 * before. A no-op when zod's index is already loaded.
 */
import { readdirSync } from "node:fs";
import { Module } from "node:module";
import path from "node:path";

/**
 * The locales of zod's locale folder, as zod's index names them (`zh-CN.cjs` is `zhCN`), each a
 * getter that loads its file on first use.
 */
export function lazyLocales(folder: string): Record<string, unknown> {
  const locales: Record<string, unknown> = {};
  Object.defineProperty(locales, "__esModule", { value: true });
  for (const file of readdirSync(folder)) {
    const name = /^([A-Za-z-]+)\.cjs$/.exec(file)?.[1];
    if (!name || name === "index") continue;
    Object.defineProperty(locales, name.replaceAll("-", ""), {
      enumerable: true,
      get: () => {
        // As zod's index takes each file's export (its `__importDefault`).
        const loaded = require(path.join(folder, file)) as { __esModule?: boolean; default?: unknown };
        return loaded?.__esModule ? loaded.default : loaded;
      },
    });
  }
  return locales;
}

const index = require.resolve("zod/v4/locales");
if (!require.cache[index]) {
  const entry = new Module(index, module);
  entry.filename = index;
  entry.exports = lazyLocales(path.dirname(index));
  entry.loaded = true;
  require.cache[index] = entry;
}
