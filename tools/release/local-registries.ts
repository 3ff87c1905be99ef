/**
 * The package registries of a release rehearsal, each real and on loopback: Verdaccio (npm), pypiserver
 * (Python), a Go module proxy folder (`GOPROXY=file://…`) and a static server for the plugin's tarballs.
 * Verdaccio and pypiserver are installed, pinned, into the project's cache folder on first use (npm
 * `--prefix` and a virtual environment): nothing is installed globally.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { crc32, deflateRawSync } from "node:zlib";

const run = promisify(execFile);

/** Verdaccio's and pypiserver's pinned versions (installed into the cache folder on first use). */
export const VERDACCIO_VERSION = "6.10.4";
export const PYPISERVER_VERSION = "2.4.2";

/** A server started for the rehearsal, stopped by `close`. */
export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A free loopback port, released at once for the server to take: `preferred` when it is free, else
 * the kernel's pick.
 */
async function freePort(preferred = 0): Promise<number> {
  const server = createServer();
  const listened = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(preferred, "127.0.0.1", () => resolve(true));
  });
  if (!listened) return freePort(0);
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once `url` answers 200, or fails after `ms` naming `what` and the last of its output. */
async function waitFor(url: string, what: string, child: ChildProcess, output: () => string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before it answered: ${output()}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not answer ${url} within ${ms / 1000} s: ${output()}`);
}

/** Starts `command` in its own process, keeping the tail of its output for error messages. */
function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { child, output: () => output, close };
}

/** Verdaccio installed into `cache` once (npm `--prefix`, pinned); its entry script. */
async function installVerdaccio(cache: string, env: NodeJS.ProcessEnv): Promise<string> {
  const prefix = path.join(cache, `verdaccio-${VERDACCIO_VERSION}`);
  const bin = path.join(prefix, "node_modules/verdaccio/bin/verdaccio");
  if (existsSync(path.join(prefix, ".complete"))) return bin;
  mkdirSync(prefix, { recursive: true });
  await run(
    "npm",
    ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", `verdaccio@${VERDACCIO_VERSION}`],
    { env, maxBuffer: 64 * 1024 * 1024 },
  );
  writeFileSync(path.join(prefix, ".complete"), "");
  return bin;
}

/** A Verdaccio on loopback, with a user that may publish, and the token to publish with. */
export interface NpmRegistry extends LocalServer {
  token: string;
}

/**
 * Starts Verdaccio with its configuration in `dir`: `packageName` is published here only (never fetched
 * from upstream), every other package is proxied from `upstream` (the registry npm is set up with).
 * What it proxied is kept in `cache` (metadata trusted for an hour), so a later rehearsal asks upstream
 * again only for what changed; an earlier rehearsal's `packageName` is removed from there first.
 * It listens on `preferredPort` when that is free, so npm's cache of its answers serves the next run.
 */
export async function startVerdaccio(
  dir: string,
  cache: string,
  upstream: string,
  packageName: string,
  env: NodeJS.ProcessEnv,
  preferredPort = 0,
): Promise<NpmRegistry> {
  const bin = await installVerdaccio(cache, env);
  mkdirSync(dir, { recursive: true });
  const storage = path.join(cache, "verdaccio-storage");
  rmSync(path.join(storage, packageName), { recursive: true, force: true });
  rmSync(path.join(storage, ".verdaccio-db.json"), { force: true });
  const config = path.join(dir, "config.yaml");
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(storage)}`,
      "auth:",
      "  htpasswd:",
      `    file: ${JSON.stringify(path.join(dir, "htpasswd"))}`,
      "uplinks:",
      "  upstream:",
      `    url: ${JSON.stringify(upstream)}`,
      "    timeout: 60s",
      "    maxage: 1h",
      "packages:",
      `  ${JSON.stringify(packageName)}:`,
      "    access: $all",
      "    publish: $authenticated",
      "  '**':",
      "    access: $all",
      "    publish: $authenticated",
      "    proxy: upstream",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  const port = await freePort(preferredPort);
  const url = `http://127.0.0.1:${port}/`;
  const server = startProcess(process.execPath, [bin, "--config", config, "--listen", `127.0.0.1:${port}`], env);
  try {
    await waitFor(`${url}-/ping`, "Verdaccio", server.child, server.output);
    const response = await fetch(`${url}-/user/org.couchdb.user:rehearsal`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "rehearsal", password: "rehearsal-password", type: "user", roles: [] }),
    });
    const body = (await response.json()) as { token?: string };
    if (!body.token) throw new Error(`Verdaccio refused to add the publishing user: ${JSON.stringify(body)}`);
    return { url, token: body.token, close: server.close };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** pypiserver and Python's `build` in a virtual environment in `cache` (pinned, made once); its folder. */
export async function toolsVenv(cache: string, env: NodeJS.ProcessEnv): Promise<string> {
  const venv = path.join(cache, `tools-venv-pypiserver-${PYPISERVER_VERSION}`);
  if (existsSync(path.join(venv, ".complete"))) return venv;
  await run("python3", ["-m", "venv", "--clear", venv], { env });
  await run(
    path.join(venv, "bin/python"),
    ["-m", "pip", "install", "--quiet", `pypiserver==${PYPISERVER_VERSION}`, "build==1.6.1"],
    { env, maxBuffer: 16 * 1024 * 1024 },
  );
  writeFileSync(path.join(venv, ".complete"), "");
  return venv;
}

/** Starts pypiserver on `dir` (no fallback to another index; uploads without authentication). */
export async function startPypiServer(dir: string, venv: string, env: NodeJS.ProcessEnv): Promise<LocalServer> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const server = startProcess(
    path.join(venv, "bin/pypi-server"),
    ["run", "--host", "127.0.0.1", "--port", String(port), "-a", ".", "-P", ".", "--disable-fallback", dir],
    env,
  );
  try {
    await waitFor(`${url}simple/`, "pypiserver", server.child, server.output);
  } catch (error) {
    await server.close();
    throw error;
  }
  return { url, close: server.close };
}

/** Uploads `file` (a wheel or sdist) to the index at `url` as twine does (the legacy upload API). */
export async function uploadToPypi(url: string, file: string): Promise<void> {
  const form = new FormData();
  form.set(":action", "file_upload");
  form.set("protocol_version", "1");
  form.set("content", new Blob([readFileSync(file)]), path.basename(file));
  const response = await fetch(url, { method: "POST", body: form });
  if (!response.ok) throw new Error(`pypiserver refused ${path.basename(file)}: HTTP ${response.status}`);
}

/** A zip archive of `files` (name → content), deflated, as Go's module zips are. */
function zipOf(files: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of files) {
    const nameBytes = Buffer.from(name, "utf8");
    const packed = deflateRawSync(content);
    const header = (signature: number, size: number) => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(signature, 0);
      return b;
    };
    const local = header(0x04034b50, 30);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc32(content), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = header(0x02014b50, 46);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(content), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * Publishes the Go module in `moduleDir` (its tracked files, `files`, relative to it) at `version` into
 * the module proxy folder `proxyDir`, in the layout `GOPROXY=file://<proxyDir>` serves.
 */
export function publishGoModule(proxyDir: string, moduleDir: string, files: string[], version: string): void {
  const goMod = readFileSync(path.join(moduleDir, "go.mod"));
  const modulePath = /^module\s+(\S+)/m.exec(goMod.toString("utf8"))?.[1];
  if (!modulePath) throw new Error(`${moduleDir}/go.mod names no module`);
  // The proxy protocol's case encoding: an upper-case letter becomes "!" and its lower case.
  const escaped = modulePath.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  const dir = path.join(proxyDir, escaped, "@v");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "list"), `${version}\n`);
  writeFileSync(
    path.join(dir, `${version}.info`),
    JSON.stringify({ Version: version, Time: new Date().toISOString() }),
  );
  writeFileSync(path.join(dir, `${version}.mod`), goMod);
  const entries = files
    .filter((file) => statSync(path.join(moduleDir, file)).isFile())
    .map((file): [string, Buffer] => [`${modulePath}@${version}/${file}`, readFileSync(path.join(moduleDir, file))]);
  writeFileSync(path.join(dir, `${version}.zip`), zipOf(entries));
}

/** A static server of the files in `dir`, recording each path asked for. */
export interface FileServer extends LocalServer {
  requests: string[];
}

/** Serves the files of `dir` over loopback HTTP (GET only, no listing). */
export async function serveFolder(dir: string): Promise<FileServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname).replace(/^\/+/, "");
    requests.push(name);
    const file = path.join(dir, name);
    if (request.method !== "GET" || name.includes("..") || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-length": statSync(file).size, "content-type": "application/gzip" });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
