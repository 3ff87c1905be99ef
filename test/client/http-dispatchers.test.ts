import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import * as undici from "undici";
import { Agent, proxyAgentClass } from "../../provider/client/http-dispatchers";

const run = promisify(execFile);
const DISPATCHERS = path.join(__dirname, "../../provider/client/http-dispatchers.js");
const RUNTIME = path.join(__dirname, "../../provider/dynamic/runtime.js");

/**
 * Runs `script` in a fresh Node process, which prints one JSON line: what it loaded and what it got.
 * `hideModules` makes undici's modules unresolvable there, as a release that moved them would.
 */
async function inFreshProcess(script: string, { hideModules = false } = {}): Promise<Record<string, unknown>> {
  const hide = `
const Module = require("node:module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith("undici/lib/")) throw Object.assign(new Error("Cannot find module " + request), { code: "MODULE_NOT_FOUND" });
  return resolve.call(this, request, ...rest);
};`;
  const loadedIndex = `Object.keys(require.cache).some((file) => /node_modules\\/undici\\/index\\.js$/.test(file))`;
  const { stdout } = await run(process.execPath, [
    "-e",
    `${hideModules ? hide : ""}\nconst loadedIndex = () => ${loadedIndex};\n${script}`,
  ]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("undici's dispatchers, loaded without its index", () => {
  it("are the very classes and request API undici's index exports", () => {
    assert.equal(Agent, undici.Agent);
    assert.equal(proxyAgentClass(), undici.ProxyAgent);
    assert.equal(undici.Dispatcher.prototype.request, require("undici/lib/api/api-request"));
  });

  it("keep undici's index (fetch, WebSocket, caches, mocks) out of the provider runtime", async () => {
    const loaded = await inFreshProcess(
      `require(${JSON.stringify(RUNTIME)}); console.log(JSON.stringify({ index: loadedIndex() }));`,
    );
    assert.deepEqual(loaded, { index: false });
  });

  it("fall back to undici's index, and still answer requests, when undici moved its modules", async () => {
    const got = await inFreshProcess(
      `
const http = require("node:http");
const { Agent, proxyAgentClass } = require(${JSON.stringify(DISPATCHERS)});
const index = loadedIndex();
const undici = require("undici");
const server = http.createServer((request, response) => response.end("answered " + request.url));
server.listen(0, "127.0.0.1", async () => {
  const agent = new Agent();
  const response = await agent.request({ origin: "http://127.0.0.1:" + server.address().port, path: "/quota?x=1", method: "GET" });
  const body = await response.body.text();
  await agent.close();
  server.close();
  console.log(JSON.stringify({ index, agent: Agent === undici.Agent, proxyAgent: proxyAgentClass() === undici.ProxyAgent, body }));
});`,
      { hideModules: true },
    );
    assert.deepEqual(got, { index: true, agent: true, proxyAgent: true, body: "answered /quota?x=1" });
  });
});
