import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import { FixtureError, loadFixture, startSimulator } from "../../sim";
import { call, PATHS } from "./http";

describe("koodrive-sim fixtures", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "koodrive-sim-fixture-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeFixture = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it("loads a full fixture", async () => {
    const fixture = {
      usage: { userCount: 99, userMaxCount: 100, productType: "2" },
      tokens: ["t-1", "Bearer t-2"],
      apps: [
        { appId: "a", appSecret: "s" },
        { appId: "b", appSecret: "s", userId: "42" },
      ],
    };
    assert.deepEqual(await loadFixture(await writeFixture("full.json", JSON.stringify(fixture))), fixture);
  });

  it("loads an empty fixture", async () => {
    assert.deepEqual(await loadFixture(await writeFixture("empty.json", "{}")), {});
  });

  it("serves the fixture's usage over the documented example, and its tokens", async () => {
    const fixture = await loadFixture(
      await writeFixture("serve.json", JSON.stringify({ usage: { spaceUsed: 5 }, tokens: ["Bearer t-2"] })),
    );
    const sim = await startSimulator({ fixture });
    try {
      for (const authorization of ["t-2", "Bearer t-2"]) {
        const answer = await call(sim.url, PATHS.quotaUsed, { headers: { authorization } });
        assert.deepEqual((answer.json as { data: unknown }).data, { ...DOCUMENTED_EXAMPLE, spaceUsed: 5 });
      }
    } finally {
      await sim.close();
    }
  });

  const malformed: [string, string, RegExp][] = [
    ["bad-json.json", "{ usage: ", /not valid JSON/],
    ["unknown-top.json", JSON.stringify({ usage: {}, secrets: [] }), /secrets: unknown key/],
    ["unknown-usage.json", JSON.stringify({ usage: { seats: 5 } }), /usage\.seats: unknown key/],
    ["wrong-type.json", JSON.stringify({ usage: { userCount: "many" } }), /usage\.userCount/],
    ["negative.json", JSON.stringify({ usage: { spaceUsed: -1 } }), /usage\.spaceUsed/],
    ["fraction.json", JSON.stringify({ usage: { spaceCapacity: 1.5 } }), /usage\.spaceCapacity/],
    ["tokens-type.json", JSON.stringify({ tokens: "t" }), /tokens/],
    ["empty-token.json", JSON.stringify({ tokens: ["ok", ""] }), /tokens\[1\]/],
    ["app-no-secret.json", JSON.stringify({ apps: [{ appId: "a" }] }), /apps\[0\]\.appSecret/],
    [
      "app-extra.json",
      JSON.stringify({ apps: [{ appId: "a", appSecret: "s", role: 1 }] }),
      /apps\[0\]\.role: unknown key/,
    ],
    [
      "app-duplicate.json",
      JSON.stringify({
        apps: [
          { appId: "a", appSecret: "s" },
          { appId: "a", appSecret: "t" },
        ],
      }),
      /apps\[1\]\.appId: duplicate/,
    ],
    ["array.json", "[]", /top level/],
  ];
  for (const [name, text, named] of malformed) {
    it(`refuses ${name}, naming the file and the problem`, async () => {
      const file = await writeFixture(name, text);
      await assert.rejects(loadFixture(file), (error: unknown) => {
        assert.ok(error instanceof FixtureError);
        assert.ok(error.message.includes(file), error.message);
        assert.match(error.message, named);
        return true;
      });
    });
  }

  it("refuses a missing file, naming it", async () => {
    const file = join(dir, "absent.json");
    await assert.rejects(
      loadFixture(file),
      (error: unknown) => error instanceof FixtureError && error.message.includes(file),
    );
  });

  it("refuses a malformed fixture given to startSimulator", async () => {
    await assert.rejects(startSimulator({ fixture: { usage: { userCount: -1 } } }), /usage\.userCount/);
  });
});
