/**
 * Whether the Pulumi engine that started this process may deploy: anything but `pulumi preview`,
 * `refresh` or `destroy`. The provider plugin needs it to know whether a guard's `Diff` takes the
 * tenant: the engine calls `Diff` in a preview as in an update, and says "preview" only on Create,
 * Update, Invoke and Call. The engine's command line tells: the nearest ancestor process whose program
 * is `pulumi` (the plugin's parent, or its grandparent through a launcher), read from
 * `/proc/<pid>/cmdline` (Linux) or `ps` (macOS, BSD). When it cannot tell (another system, no such
 * ancestor, a command line it cannot parse), the answer is "it may": the guard then takes the tenant,
 * which is safe (a preview may wait) rather than over-admitting.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

/** A process's parent and arguments. */
interface ProcessLine {
  ppid: number;
  argv: string[];
}

/** How many ancestors are looked at for the engine: its child, or a launcher's child. */
const ANCESTORS = 4;
/** `pulumi`'s own flags that take the next argument as their value (`pulumi --help`). */
const VALUE_FLAGS = new Set([
  "--color",
  "-C",
  "--cwd",
  "--memprofilerate",
  "--otel-traces",
  "--profiling",
  "--tracing",
  "-v",
  "--verbose",
]);
/** `pulumi`'s own flags that take no value. */
const SWITCHES = new Set([
  "--disable-integrity-checking",
  "-e",
  "--emoji",
  "-Q",
  "--fully-qualify-stack-names",
  "--logflow",
  "--logtostderr",
  "--non-interactive",
]);
/** The commands that add nothing, with their aliases: `preview`, `refresh`, `destroy`. */
const ADDS_NOTHING = new Set(["preview", "pre", "refresh", "destroy", "down"]);

/** The command (`up`, `preview`, …) of a `pulumi` command line; undefined when a flag before it is not known. */
export function pulumiCommandOf(argv: readonly string[]): string | undefined {
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? "";
    if (!arg.startsWith("-")) return arg;
    if (arg.includes("=") || SWITCHES.has(arg)) continue;
    if (!VALUE_FLAGS.has(arg)) return undefined;
    index += 1;
  }
  return undefined;
}

/** `pid`'s parent and arguments: from /proc on Linux, else from `ps`; undefined when neither tells. */
function processLine(pid: number): ProcessLine | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count from the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return { ppid, argv };
  } catch {
    // no /proc: another system
  }
  if (process.platform === "win32") return undefined;
  try {
    const line = execFileSync("ps", ["-o", "ppid=", "-o", "args=", "-p", String(pid)], {
      encoding: "utf8",
      timeout: 2_000,
    }).trim();
    const [ppid = "", ...argv] = line.split(/\s+/);
    return { ppid: Number(ppid), argv };
  } catch {
    return undefined;
  }
}

/** False when the engine that started this process runs `pulumi preview`, `refresh` or `destroy`; true when it runs anything else or cannot be told. */
export function engineMayDeploy(start = process.ppid, lineOf = processLine): boolean {
  let pid = start;
  for (let depth = 0; depth < ANCESTORS && pid > 1; depth += 1) {
    const line = lineOf(pid);
    if (!line) return true;
    const program = path.basename(line.argv[0] ?? "");
    if (program === "pulumi" || program === "pulumi.exe") {
      const command = pulumiCommandOf(line.argv);
      return command === undefined || !ADDS_NOTHING.has(command);
    }
    pid = line.ppid;
  }
  return true;
}
