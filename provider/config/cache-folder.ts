import os from "node:os";
import path from "node:path";

/** The project's cache folder: `pulumi-koodrive` in the user's cache folder (`XDG_CACHE_HOME`, else `~/.cache`). */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "pulumi-koodrive");
}
