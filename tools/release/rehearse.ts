/**
 * `npm run release:rehearse`: builds a release as .github/workflows/release.yml does, publishes it to
 * real registries on loopback (tools/release/local-registries.ts), then, in fresh folders outside
 * the clone with a home of their own, runs the install commands README, docs and examples print
 * (tools/release/documented-installs.ts) and uses what they installed:
 *
 *   typescript     npm install pulumi-koodrive @pulumi/pulumi, a program, pulumi preview against koodrive-sim
 *   ci-workflow    examples/ci-guardrail with its workflow's install steps, and the policy pack
 *   policy-pack    the pack's folder copied, npm install, pulumi preview --policy-pack on that stack
 *   yaml           examples/yaml-guardrail: the engine downloads the plugin from pluginDownloadURL
 *                  (served here through PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES), no `node` on PATH
 *   koodrive-usage the release executable downloaded with the docs' curl command (the release's URL
 *                  served by the same server), run with no `node` on PATH against koodrive-sim, and
 *                  yaml-guardrail's workflow's report step
 *   python         pip install pulumi_koodrive into a venv, import it, the example's mock tests
 *   go             go get the SDK in a copy of examples/go-guardrail, go build, go test
 *
 * Every command is printed with its result and time. The engine is the project's build
 * (scripts/pulumi.sh), with a Pulumi home and a backend of the rehearsal's own; npm, pip and Go keep
 * their caches in the project's cache folder. Nothing outside the temporary folder and that cache changes.
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PACKAGE_VERSION } from "../../provider/client/version";
import { cacheFolder } from "../../provider/config/cache-folder";
import { DEMO_TOKEN, startSimulator } from "../../sim";
import { REPO_ROOT } from "../repo-root";
import { documentedInstalls, REHEARSED, RELEASE_DOWNLOADS, type RehearsalRoute } from "./documented-installs";
import { buildRelease, PLUGIN, RELEASE_PLATFORMS, USAGE_CLI } from "./executables";
import {
  type LocalServer,
  publishGoModule,
  serveFolder,
  startPypiServer,
  startVerdaccio,
  toolsVenv,
  uploadToPypi,
} from "./local-registries";

const execFileAsync = promisify(execFile);
const PLUGIN_DOWNLOAD_URL = "github://api.github.com/koodrive/pulumi-koodrive";
const GO_MODULE = "github.com/koodrive/pulumi-koodrive/sdk";

const started = Date.now();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stdout.write(`release:rehearse: ${line}\n`);

/** What each route took, for the closing table. */
const results: { route: string; result: string; time: string }[] = [];

/** bash, found once on the user's PATH (a route's PATH may hold no folder with it). */
let bash = "bash";

/** Where a route's lines go: printed together when the route ends, as routes run side by side. */
type Printer = (line: string) => void;

/**
 * Runs `command` in bash in `cwd`, printing it and its result; fails with the tail of its output.
 * Its output goes to `log`.
 */
async function sh(print: Printer, command: string, cwd: string, env: NodeJS.ProcessEnv, log: string): Promise<string> {
  const since = Date.now();
  print(`  $ ${command}    (in ${path.basename(cwd)}/)`);
  const child = spawn(bash, ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  writeFileSync(log, `$ ${command}\n${output}\n`, { flag: "a" });
  if (code !== 0) {
    print(`    failed (exit ${code}, ${seconds(since)}):\n${output.trimEnd().split("\n").slice(-40).join("\n")}`);
    throw new Error(`\`${command}\` failed in ${cwd} (exit ${code}); its output is in ${log}`);
  }
  print(`    ok (${seconds(since)})`);
  return output;
}

/** Runs a documented command of `route`: it must be in REHEARSED, so the unit test ties it to the docs. */
function documented(route: RehearsalRoute, command: string): string {
  if (!REHEARSED[route].includes(command)) throw new Error(`"${command}" is not in REHEARSED.${route}`);
  return command;
}

/**
 * Runs one route, recording its time and result, and prints its lines when it ends; a failure fails
 * the rehearsal after the other routes ran.
 */
async function route(name: string, body: (print: Printer) => Promise<string>): Promise<void> {
  const since = Date.now();
  const lines = [`release:rehearse: -- ${name}`];
  try {
    const note = await body((line) => lines.push(line));
    results.push({ route: name, result: `ok: ${note}`, time: seconds(since) });
  } catch (error) {
    results.push({ route: name, result: `FAILED: ${(error as Error).message}`, time: seconds(since) });
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** The PATH of the user's shell, less anything of the clone (its node_modules/.bin). */
function systemPath(): string[] {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir && !dir.startsWith(REPO_ROOT) && !/node_modules[\\/]\.bin/.test(dir));
}

/** The folders of `dirs` holding no `node`: a PATH on which no Node.js can be found. */
function withoutNode(dirs: string[]): string[] {
  return dirs.filter((dir) => !existsSync(path.join(dir, "node")));
}

/** A program of README's "A first stack" (TypeScript), without the command it runs. */
const TS_PROGRAM = `import { CapacityGuard, getServiceUsageOutput } from "pulumi-koodrive";

const usage = getServiceUsageOutput();
export const remainingSeats = usage.remainingSeats;

const guard = new CapacityGuard("onboarding", { plannedUsers: 2, minFreeSeats: 5, warnAtPercent: 90 });
export const verdict = guard.message;
`;

async function main(): Promise<void> {
  const cache = path.join(cacheFolder(), "release-rehearsal");
  mkdirSync(cache, { recursive: true });
  const release = await holdCache(cache);
  const work = mkdtempSync(path.join(os.tmpdir(), "koodrive-release-rehearsal-"));
  const log = path.join(work, "rehearsal.log");
  const servers: LocalServer[] = [];
  say(`working in ${work} (the commands' output: ${log})`);
  bash = (await execFileAsync("bash", ["-c", "command -v bash"])).stdout.trim();
  try {
    // ---- the release, built as release.yml builds it
    say("-- building the release");
    let since = Date.now();
    const artifacts = path.join(work, "artifacts");
    mkdirSync(artifacts, { recursive: true });
    const { stdout: packed } = await execFileAsync(
      "npm",
      ["pack", "--ignore-scripts", "--silent", "--pack-destination", artifacts],
      { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const npmTarball = path.join(artifacts, packed.trim().split("\n").pop() as string);
    const host = RELEASE_PLATFORMS.find((p) => p.os === process.platform && p.cpu === process.arch);
    if (!host) throw new Error(`no release platform for ${process.platform}-${process.arch}`);
    const plugins = path.join(work, "plugins");
    await buildRelease(PLUGIN, [host], plugins);
    await buildRelease(USAGE_CLI, [host], plugins);
    const venv = await toolsVenv(cache, process.env);
    const pythonSrc = path.join(work, "python-src");
    cpSync(path.join(REPO_ROOT, "sdk/python"), pythonSrc, { recursive: true });
    const pythonDist = path.join(artifacts, "python");
    await execFileAsync(path.join(venv, "bin/python"), ["-m", "build", "--outdir", pythonDist, pythonSrc], {
      maxBuffer: 16 * 1024 * 1024,
    });
    say(
      `built ${path.basename(npmTarball)}, the ${host.name} tarballs of the plugin and koodrive-usage, ${readdirSync(pythonDist).join(", ")} (${seconds(since)})`,
    );

    // ---- the registries, on loopback
    since = Date.now();
    const npmCache = path.join(cache, "npm-cache");
    const { stdout: upstreamNpm } = await execFileAsync("npm", ["config", "get", "registry"], { cwd: os.tmpdir() });
    // A port of the cache folder's own when free: npm's cache (prefer-offline) then answers for every
    // package but pulumi-koodrive, whose entries of an earlier run are removed from it.
    const preferredPort = 40000 + (createHash("sha256").update(cache).digest().readUInt16BE(0) % 20000);
    const npmRegistry = await startVerdaccio(
      path.join(work, "verdaccio"),
      cache,
      upstreamNpm.trim(),
      "pulumi-koodrive",
      process.env,
      preferredPort,
    );
    servers.push(npmRegistry);
    forgetInNpmCache(npmCache, [
      `${npmRegistry.url}pulumi-koodrive`,
      `${npmRegistry.url}pulumi-koodrive/-/${path.basename(npmTarball)}`,
    ]);
    const published = `sha512-${createHash("sha512").update(readFileSync(npmTarball)).digest("base64")}`;
    const npmrc = path.join(work, "npmrc");
    const registryHost = npmRegistry.url.replace(/^http:/, "");
    // prefer-offline: packages' metadata from npm's cache when it has them (pulumi-koodrive's is not:
    // forgetInNpmCache above; the TypeScript route checks the integrity npm installed).
    writeFileSync(
      npmrc,
      `prefer-offline=true\nregistry=${npmRegistry.url}\n${registryHost}:_authToken=${npmRegistry.token}\ncache=${npmCache}\naudit=false\nfund=false\nupdate-notifier=false\n`,
    );
    const pypi = await startPypiServer(path.join(work, "pypi"), venv, process.env);
    servers.push(pypi);
    const plugin = await serveFolder(plugins);
    servers.push(plugin);
    const goProxy = path.join(work, "goproxy");
    const sdkFiles = (await execFileAsync("git", ["ls-files", "-z", "sdk"], { cwd: REPO_ROOT })).stdout
      .split("\0")
      .filter(Boolean)
      .map((file) => path.relative("sdk", file));
    publishGoModule(goProxy, path.join(REPO_ROOT, "sdk"), sdkFiles, `v${PACKAGE_VERSION}`);
    say(
      `registries up: Verdaccio ${npmRegistry.url}, pypiserver ${pypi.url}, Go proxy file://${goProxy}, plugins ${plugin.url} (${seconds(since)})`,
    );

    // ---- publishing, as release.yml publishes (npm's provenance needs CI's identity: not here)
    say("-- publishing");
    const home = path.join(work, "home");
    mkdirSync(home, { recursive: true });
    // The project's engine build (scripts/pulumi.sh ensure prints its folder last; progress on stderr).
    const ensured = await execFileAsync("bash", [path.join(REPO_ROOT, "scripts/pulumi.sh"), "ensure"], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const engineBin = ensured.stdout.trim().split("\n").pop() as string;
    // The user's python3 itself (a pyenv shim finds its Python through HOME, which is the rehearsal's).
    const python = (await execFileAsync("python3", ["-c", "import sys; print(sys.executable)"])).stdout.trim();
    const nodeDir = path.dirname(process.execPath);
    const userEnv: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^npm_|^INIT_CWD$|^PULUMI_|^KOODRIVE_|^GO/.test(key)),
    );
    const baseEnv: NodeJS.ProcessEnv = {
      ...userEnv,
      HOME: home,
      PATH: [engineBin, nodeDir, path.dirname(python), ...systemPath()].join(path.delimiter),
      npm_config_userconfig: npmrc,
      PIP_CACHE_DIR: path.join(cache, "pip-cache"),
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_CONFIG_PASSPHRASE: "rehearsal",
    };
    await sh(say, `npm publish --access public ${JSON.stringify(npmTarball)}`, work, baseEnv, log);
    for (const file of readdirSync(pythonDist)) await uploadToPypi(pypi.url, path.join(pythonDist, file));
    say(
      `uploaded ${readdirSync(pythonDist).join(", ")} to pypiserver; the Go module v${PACKAGE_VERSION} is in the proxy folder`,
    );

    const sim = await startSimulator();
    servers.push(sim);
    /** A Pulumi home and a backend of the route's own: plugins it downloads land there. */
    const pulumiEnv = (name: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
      const dir = path.join(work, "pulumi", name);
      mkdirSync(path.join(dir, "state"), { recursive: true });
      return {
        ...baseEnv,
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
        ...extra,
      };
    };
    const stackCommands = [
      "pulumi stack init dev",
      `pulumi config set koodrive:endpoint ${sim.url}`,
      `pulumi config set --secret koodrive:accessToken ${DEMO_TOKEN}`,
    ];
    const fresh = (name: string) => {
      const dir = path.join(work, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    };

    const typescriptAndPolicy = () =>
      route(
        "TypeScript: npm install pulumi-koodrive @pulumi/pulumi, preview; the policy pack copied, npm install, preview --policy-pack",
        async (print) => {
          const dir = fresh("ts");
          cpSync(path.join(REPO_ROOT, "examples/policy-pack"), path.join(dir, "policy-pack"), { recursive: true });
          const stack = path.join(dir, "my-stack");
          mkdirSync(stack);
          // The official CLI ships Pulumi's Node.js scripts (the dynamic provider's host) beside `pulumi`;
          // the project's build takes them from the program's @pulumi/pulumi.
          const env = pulumiEnv("ts", {
            PATH: [engineBin, path.join(stack, "node_modules/@pulumi/pulumi"), nodeDir, ...systemPath()].join(
              path.delimiter,
            ),
          });
          await sh(print, documented("typescript", "npm install pulumi-koodrive @pulumi/pulumi"), stack, env, log);
          await sh(print, documented("typescript", "npm install @pulumi/command"), stack, env, log);
          writeFileSync(path.join(stack, "Pulumi.yaml"), "name: rehearsal-ts\nruntime: nodejs\n");
          writeFileSync(path.join(stack, "index.ts"), TS_PROGRAM);
          for (const command of stackCommands) await sh(print, command, stack, env, log);
          const preview = await sh(print, "pulumi preview --non-interactive", stack, env, log);
          if (!/remainingSeats\s*:\s*\d+/.test(preview)) throw new Error("the preview shows no remainingSeats output");
          const installed = JSON.parse(
            readFileSync(path.join(stack, "node_modules/pulumi-koodrive/package.json"), "utf8"),
          ) as { version: string };
          if (installed.version !== PACKAGE_VERSION) throw new Error(`installed pulumi-koodrive ${installed.version}`);
          const lock = JSON.parse(readFileSync(path.join(stack, "package-lock.json"), "utf8")) as {
            packages: Record<string, { integrity?: string }>;
          };
          if (lock.packages["node_modules/pulumi-koodrive"]?.integrity !== published)
            throw new Error("npm installed a pulumi-koodrive other than the one just published");
          await sh(print, documented("policy-pack", "cd policy-pack && npm install && cd -"), dir, env, log);
          const policed = await sh(
            print,
            "pulumi preview --non-interactive --policy-pack ../policy-pack --policy-pack-config ../policy-pack/policy-config.json",
            stack,
            env,
            log,
          );
          if (!/koodrive/.test(policed) || !/polic/i.test(policed))
            throw new Error("the preview output says nothing of the policy pack");
          return `pulumi-koodrive ${installed.version} from Verdaccio; the preview shows remainingSeats; the pack ran`;
        },
      );

    const ciWorkflow = () =>
      route("ci-guardrail workflow: its install steps, then preview with the policy pack", async (print) => {
        const dir = fresh("ci-repo");
        for (const file of ["Pulumi.yaml", "index.ts", "package.json"])
          cpSync(path.join(REPO_ROOT, "examples/ci-guardrail", file), path.join(dir, file));
        cpSync(path.join(REPO_ROOT, "examples/policy-pack"), path.join(dir, "policy-pack"), { recursive: true });
        const env = pulumiEnv("ci", {
          PATH: [engineBin, path.join(dir, "node_modules/@pulumi/pulumi"), nodeDir, ...systemPath()].join(
            path.delimiter,
          ),
          KOODRIVE_ENDPOINT: sim.url,
          KOODRIVE_ACCESS_TOKEN: DEMO_TOKEN,
        });
        await sh(print, documented("ci-workflow", "npm install"), dir, env, log);
        await sh(print, documented("policy-pack", "cd policy-pack && npm install"), dir, env, log);
        // pulumi/actions with upsert: true selects the stack, creating it when missing.
        await sh(print, "pulumi stack select --create production", dir, env, log);
        await sh(
          print,
          "pulumi preview --non-interactive --policy-pack policy-pack --policy-pack-config policy-pack/policy-config.json",
          dir,
          env,
          log,
        );
        return "npm install with no lock file, the pack's npm install, preview with the pack";
      });

    const yaml = () =>
      route("YAML: the engine downloads the plugin from pluginDownloadURL, no node on PATH", async (print) => {
        const dir = fresh("yaml-program");
        cpSync(path.join(REPO_ROOT, "examples/yaml-guardrail/Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const noNode = withoutNode([engineBin, ...systemPath()]);
        const env = pulumiEnv("yaml", {
          PATH: noNode.join(path.delimiter),
          // How a mirror stands in for the releases (docs: the provider plugin).
          PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `^${PLUGIN_DOWNLOAD_URL.replace(/[.]/g, "\\.")}=${plugin.url}`,
        });
        await sh(print, "if command -v node; then exit 1; fi", dir, env, log);
        for (const command of stackCommands) await sh(print, command, dir, env, log);
        await sh(print, "pulumi config set plannedUsers 2", dir, env, log);
        const preview = await sh(print, "pulumi preview --non-interactive", dir, env, log);
        if (!/guardStatus\s*:\s*"fits"/.test(preview)) throw new Error('the preview shows no guardStatus "fits"');
        const tarball = `pulumi-resource-koodrive-v${PACKAGE_VERSION}-${host.name}.tar.gz`;
        if (!plugin.requests.includes(tarball)) throw new Error(`the plugin server was not asked for ${tarball}`);
        const home = env.PULUMI_HOME as string;
        const installedPlugins = readdirSync(path.join(home, "plugins")).filter((name) => name.includes("koodrive"));
        // The docs' install by hand, into a Pulumi home of its own.
        const byHand = pulumiEnv("plugin-install", {
          PATH: env.PATH,
          PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: env.PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES,
        });
        await sh(
          print,
          `pulumi plugin install resource koodrive ${PACKAGE_VERSION} --server ${PLUGIN_DOWNLOAD_URL}`,
          dir,
          byHand,
          log,
        );
        const listed = await sh(print, "pulumi plugin ls", dir, byHand, log);
        if (!new RegExp(`koodrive\\s+resource\\s+${PACKAGE_VERSION}`).test(listed))
          throw new Error(`pulumi plugin ls shows no koodrive ${PACKAGE_VERSION}: ${listed}`);
        return `downloaded ${tarball} into the stack's Pulumi home (${installedPlugins.join(", ")}); guardStatus "fits"; pulumi plugin install --server installs it too`;
      });

    const usageCli = () =>
      route(
        "koodrive-usage: the release executable downloaded as the docs say, run with no node on PATH",
        async (print) => {
          const dir = fresh("koodrive-usage");
          const summary = path.join(dir, "step-summary.md");
          // A PATH of the tools the download needs and nothing else (a folder of the system's may hold
          // a node too): what a YAML, Python or Go team's runner has.
          const tools = fresh("koodrive-usage-tools");
          for (const tool of ["curl", "tar", "gzip"]) {
            const found = (await execFileAsync("bash", ["-c", `command -v ${tool}`])).stdout.trim();
            await symlink(found, path.join(tools, tool));
          }
          const env: NodeJS.ProcessEnv = {
            ...baseEnv,
            PATH: tools,
            KOODRIVE_ENDPOINT: sim.url,
            KOODRIVE_ACCESS_TOKEN: DEMO_TOKEN,
            GITHUB_STEP_SUMMARY: summary,
          };
          const download = documented(
            "koodrive-usage",
            `curl -fsSL ${RELEASE_DOWNLOADS}/v${PACKAGE_VERSION}/koodrive-usage-v${PACKAGE_VERSION}-linux-amd64.tar.gz | tar -xz`,
          );
          // The release's URL served by the loopback server, as the plugin's is; this machine's platform.
          const mirrored = download
            .replace(`${RELEASE_DOWNLOADS}/v${PACKAGE_VERSION}`, plugin.url)
            .replace("-linux-amd64.tar.gz", `-${host.name}.tar.gz`);
          await sh(print, mirrored, dir, env, log);
          await sh(print, "if command -v node; then exit 1; fi", dir, env, log);
          const help = await sh(print, "./koodrive-usage --help", dir, env, log);
          if (!help.startsWith("Usage: koodrive-usage")) throw new Error("--help prints no usage");
          const fits = await sh(print, "./koodrive-usage --plan-users 1", dir, env, log);
          if (!/Seats\s+\d+ \/ \d+ seats/.test(fits) || !/^Plan fits\.$/m.test(fits))
            throw new Error("koodrive-usage --plan-users 1 printed no seats figure or no fitting plan");
          const exceeds = await sh(
            print,
            './koodrive-usage --plan-users 100000; code=$?; echo "exit $code"; [ "$code" -eq 1 ]',
            dir,
            env,
            log,
          );
          if (!/exceeds by \d+ seats/.test(exceeds)) throw new Error("the exceeding plan names no shortfall");
          // yaml-guardrail's workflow's report step, as it stands there.
          const workflow = readFileSync(path.join(REPO_ROOT, "examples/yaml-guardrail/koodrive-guardrail.yml"), "utf8");
          const step = /run: (\.\/koodrive-usage report [^\n]+)/.exec(workflow)?.[1];
          if (!step)
            throw new Error("examples/yaml-guardrail/koodrive-guardrail.yml has no ./koodrive-usage report step");
          await sh(print, step, dir, env, log);
          if (!readFileSync(summary, "utf8").startsWith("## KooDrive capacity"))
            throw new Error("the report step wrote no capacity report into $GITHUB_STEP_SUMMARY");
          return `downloaded koodrive-usage-v${PACKAGE_VERSION}-${host.name}.tar.gz; with no node, a fitting plan exits 0, an exceeding one 1; the workflow's report step wrote the job summary`;
        },
      );

    const pythonRoute = () =>
      route("Python: pip install pulumi_koodrive, import it, the example's mock tests", async (print) => {
        // The example's folder, with the SDK's mock tests where they expect it (../../test/python).
        const example = fresh("python");
        cpSync(path.join(REPO_ROOT, "examples/python-guardrail"), path.join(example, "examples/python-guardrail"), {
          recursive: true,
        });
        cpSync(path.join(REPO_ROOT, "test/python"), path.join(example, "test/python"), { recursive: true });
        const dir = path.join(example, "examples/python-guardrail");
        const upstream = await pipUpstream();
        const env: NodeJS.ProcessEnv = {
          ...baseEnv,
          PIP_INDEX_URL: `${pypi.url}simple/`,
          PIP_EXTRA_INDEX_URL: upstream,
        };
        await sh(print, "python3 -m venv venv", dir, env, log);
        const out = await sh(print, documented("python", "venv/bin/pip install pulumi_koodrive"), dir, env, log);
        if (!out.includes(`${pypi.url}packages/pulumi_koodrive-`))
          throw new Error("pip did not download pulumi_koodrive from pypiserver");
        // README's form, in the activated environment.
        const activated = { ...env, PATH: `${path.join(dir, "venv/bin")}${path.delimiter}${env.PATH}` };
        await sh(print, documented("python", "pip install pulumi_koodrive"), dir, activated, log);
        await sh(print, documented("python-example", "venv/bin/pip install -r requirements.txt"), dir, env, log);
        const pins = readFileSync(path.join(REPO_ROOT, "test/python/requirements.txt"), "utf8");
        const pytest = /^pytest==\S+/m.exec(pins)?.[0] ?? "pytest";
        await sh(print, `venv/bin/pip install ${pytest}`, dir, env, log);
        const version = await sh(
          print,
          `venv/bin/python -c 'import pulumi_koodrive, json, importlib.resources as r; print(json.loads(r.files("pulumi_koodrive").joinpath("pulumi-plugin.json").read_text())["version"])'`,
          dir,
          env,
          log,
        );
        if (version.trim() !== PACKAGE_VERSION) throw new Error(`imported pulumi_koodrive ${version.trim()}`);
        await sh(print, "venv/bin/python -m pytest -p no:cacheprovider -q ../../test/python", dir, env, log);
        return "pulumi_koodrive from pypiserver, imported, the mock tests pass";
      });

    const go = () =>
      route("Go: go get the SDK from the module proxy, go build and go test the example", async (print) => {
        const dir = fresh("go-example");
        for (const file of ["go.mod", "go.sum", "main.go", "main_test.go", "Pulumi.yaml"])
          cpSync(path.join(REPO_ROOT, "examples/go-guardrail", file), path.join(dir, file));
        const goEnv = await goEnvironment(cache, goProxy);
        const env: NodeJS.ProcessEnv = { ...baseEnv, ...goEnv };
        await sh(
          print,
          documented("go", `go mod edit -dropreplace=${GO_MODULE} -droprequire=${GO_MODULE}`),
          dir,
          env,
          log,
        );
        await sh(print, documented("go", `go get ${GO_MODULE}@v${PACKAGE_VERSION}`), dir, env, log);
        await sh(print, documented("go", `go get ${GO_MODULE}`), dir, env, log);
        const listed = await sh(print, `go list -m ${GO_MODULE}`, dir, env, log);
        if (!listed.includes(`${GO_MODULE} v${PACKAGE_VERSION}`)) throw new Error(`go list shows ${listed.trim()}`);
        await sh(print, "go build -o go-guardrail . && go test -count=1 ./...", dir, env, log);
        return `${GO_MODULE} v${PACKAGE_VERSION} from the proxy folder; built and tested`;
      });
    // The Node.js routes one after the other, beside Python's and Go's (npm and pip wait on the
    // network, Go's build on the CPU).
    await Promise.all([
      (async () => {
        await typescriptAndPolicy();
        await ciWorkflow();
        await yaml();
        await usageCli();
      })(),
      (async () => {
        await pythonRoute();
        await go();
      })(),
    ]);
  } finally {
    for (const server of servers.reverse()) await server.close().catch(() => {});
    release();
  }

  const rehearsed = new Set(Object.values(REHEARSED).flat());
  const documentedCount = documentedInstalls().filter(({ command }) => rehearsed.has(command)).length;
  say(`-- results (${documentedCount} documented install commands rehearsed)`);
  for (const { route: name, result, time } of results)
    process.stdout.write(`  ${time.padStart(7)}  ${name}: ${result}\n`);
  const failed = results.filter(({ result }) => result.startsWith("FAILED"));
  say(`took ${seconds(started)}`);
  process.stdout.write(`rehearsal: ${results.length - failed.length} passed, ${failed.length} failed\n`);
  if (failed.length > 0) {
    say(`kept ${work} for a look`);
    process.exitCode = 1;
  } else {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Removes the entries of `urls` from npm's cache in `npmCache` (cacache's index: one bucket file per
 * key, named by the key's SHA-256), so npm asks the registry for them again.
 */
function forgetInNpmCache(npmCache: string, urls: string[]): void {
  for (const url of urls) {
    const hash = createHash("sha256").update(`make-fetch-happen:request-cache:${url}`).digest("hex");
    rmSync(path.join(npmCache, "_cacache/index-v5", hash.slice(0, 2), hash.slice(2, 4), hash.slice(4)), {
      force: true,
    });
  }
}

/** True while process `pid` runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Waits until no other rehearsal uses `cache` (they share Verdaccio's storage and Go's module cache,
 * from which each removes the last one's copy of the package), then holds it; returns the release.
 * A holder that died (killed) is taken over.
 */
async function holdCache(cache: string): Promise<() => void> {
  const lock = path.join(cache, ".lock");
  let said = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, "pid"), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const pidFile = path.join(lock, "pid");
    const holder = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : 0;
    if (holder > 0 && !alive(holder)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!said) say(`waiting for another rehearsal (pid ${holder || "starting"}) using ${cache}`);
    said = true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The index pip is set up with (its config, else its default), for what pypiserver does not hold. */
async function pipUpstream(): Promise<string> {
  if (process.env.PIP_INDEX_URL) return process.env.PIP_INDEX_URL;
  const configured = await execFileAsync("python3", ["-m", "pip", "config", "get", "global.index-url"]).then(
    ({ stdout }) => stdout.trim(),
    () => "",
  );
  if (configured) return configured;
  const { stdout } = await execFileAsync("python3", [
    "-c",
    "from pip._internal.models.index import PyPI; print(PyPI.simple_url)",
  ]);
  return stdout.trim();
}

/**
 * Go's settings for the rehearsal: a module cache and build cache of its own in the project's cache
 * (the module's rehearsal copy from an earlier run removed, and Go's index of it not used), the proxy folder first, then the user's
 * module cache as a proxy (no download for what it holds) and the user's GOPROXY; no checksum
 * database lookup for the module, which no public database knows.
 */
async function goEnvironment(cache: string, goProxy: string): Promise<NodeJS.ProcessEnv> {
  const { stdout } = await execFileAsync("go", ["env", "GOPROXY", "GOMODCACHE", "GOFLAGS"]);
  const [userProxy = "", userModCache = "", userFlags = ""] = stdout.split("\n");
  const modCache = path.join(cache, "go-mod-cache");
  for (const stale of ["github.com/koodrive", "cache/download/github.com/koodrive"]) {
    const dir = path.join(modCache, stale);
    if (existsSync(dir)) {
      await execFileAsync("chmod", ["-R", "u+w", dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const proxies = [`file://${goProxy}`];
  if (userModCache && existsSync(path.join(userModCache, "cache/download")))
    proxies.push(`file://${path.join(userModCache, "cache/download")}`);
  if (userProxy && userProxy !== "off") proxies.push(userProxy);
  return {
    GOPROXY: proxies.join(","),
    GOMODCACHE: modCache,
    GOCACHE: path.join(cache, "go-build-cache"),
    GOPATH: path.join(cache, "gopath"),
    GOFLAGS: `${userFlags} -mod=mod -modcacherw`.trim(),
    GONOSUMDB: "github.com/koodrive/pulumi-koodrive",
    GOTOOLCHAIN: "local",
    // Go indexes a module version's files once, taking it for immutable; each rehearsal publishes the
    // same version anew, so the index of an earlier one would hide a file added since.
    GODEBUG: [process.env.GODEBUG, "goindex=0"].filter(Boolean).join(","),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`release:rehearse: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
