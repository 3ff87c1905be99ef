import assert from "node:assert/strict";
import { DOCUMENTED_EXAMPLE, type QuotaUsedData } from "../../provider/client/quota-used";
import { ERROR_CODES, KB_PER_GB } from "../../sim";
import { useSimulator } from "../helpers/simulator";
import { call, type Exchange, post, TOKEN_AUTH } from "./http";

const USERS = "/koodrive/ose/v1/users";
const user = (userId: string) => `${USERS}/${userId}`;
const space = (ownerId: string) => `/koodrive/ose/v1/space/${ownerId}`;
const spaces = (ownerId: string, type?: number) =>
  `/koodrive/ose/v2/space/${ownerId}${type === undefined ? "" : `?type=${type}`}`;
const container = (containerId: string) => `/koodrive/ose/v1/space/container/${containerId}`;

type Envelope = { code: number; msg: string; data?: unknown };
const envelope = (exchange: Exchange): Envelope => exchange.json as Envelope;

/** Asserts a refusal: HTTP 400 and KooDrive's `code`, with the message matching `msg`. */
function assertRefused(exchange: Exchange, code: number, msg: RegExp): void {
  assert.equal(exchange.status, 400, exchange.text);
  assert.equal(envelope(exchange).code, code, exchange.text);
  assert.match(envelope(exchange).msg, msg);
}

function assertOk(exchange: Exchange): Envelope {
  assert.equal(exchange.status, 200, exchange.text);
  assert.equal(envelope(exchange).code, 0, exchange.text);
  return envelope(exchange);
}

const addUser = (base: string, userId: string, deptId: string | number = "7", role = 1) =>
  post(base, USERS, { userId, modifyUserInfoReq: { deptId, role } });
const createSpace = (base: string, ownerId: string, capacity: number, type: 0 | 1) =>
  post(base, space(ownerId), { capacity: String(capacity), type });
const del = (base: string, path: string) => call(base, path, { method: "DELETE", headers: TOKEN_AUTH });
const get = (base: string, path: string) => call(base, path, { headers: TOKEN_AUTH });

/** The documented example tenant with `changes` added to its figures: what every figure must be. */
const figures = (changes: Partial<Record<keyof QuotaUsedData, number>>): QuotaUsedData => {
  const expected: QuotaUsedData = { ...DOCUMENTED_EXAMPLE };
  for (const [key, delta] of Object.entries(changes)) {
    Object.assign(expected, { [key]: (expected[key as keyof QuotaUsedData] as number) + delta });
  }
  return expected;
};

describe("koodrive-sim user and space lifecycle", () => {
  const sim = useSimulator();

  /** Asserts all 17 figures, both as the control path and as quotaUsed answers them. */
  async function assertFigures(changes: Partial<Record<keyof QuotaUsedData, number>>): Promise<void> {
    assert.deepEqual(sim().usage(), figures(changes));
    assert.deepEqual(envelope(await get(sim().url, "/koodrive/ose/v1/service/quotaUsed")).data, figures(changes));
  }

  it("adds, reads, changes and deletes a user, the seat following each change", async () => {
    assertOk(await addUser(sim().url, "500000000000000001", "1243693141656107521", 1));
    await assertFigures({ userCount: 1 });
    const read = assertOk(await get(sim().url, user("500000000000000001"))).data as Record<string, unknown>;
    assert.deepEqual(
      { userId: read.userId, deptId: read.deptId, deptName: read.deptName, role: read.role, status: read.status },
      {
        userId: "500000000000000001",
        deptId: "1243693141656107521",
        deptName: "dept-1243693141656107521",
        role: 1,
        status: 0,
      },
    );
    assert.equal(read.orgId, sim().subscription().organizationId);
    assert.match(String(read.id), /^\d{19}$/);

    assertOk(await post(sim().url, user("500000000000000001"), { deptId: 9, role: "5", status: 1 }, TOKEN_AUTH, "PUT"));
    assert.deepEqual(sim().users()[0], { ...read, deptId: "9", deptName: "dept-9", role: 5, status: 1 });
    await assertFigures({ userCount: 1 });

    assertOk(await del(sim().url, user("500000000000000001")));
    await assertFigures({});
    assertRefused(await get(sim().url, user("500000000000000001")), ERROR_CODES.resourceNotFound, /user 5/);
    assertRefused(await del(sim().url, user("500000000000000001")), 13000309, /resource does not exist/);
    assertRefused(
      await post(sim().url, user("500000000000000001"), { role: 0 }, TOKEN_AUTH, "PUT"),
      13000309,
      /resource does not exist/,
    );
    await assertFigures({});
  });

  it("refuses a user that exists already, taking no seat, even with every seat taken", async () => {
    assertOk(await addUser(sim().url, "u-1"));
    assertRefused(await addUser(sim().url, "u-1", "8", 0), ERROR_CODES.alreadyExists, /already exists: user u-1/);
    assert.equal(sim().users().length, 1);
    assert.equal(sim().users()[0]?.deptId, "7", "the first add stands");
    sim().setUsage({ userCount: 100 });
    assertRefused(await addUser(sim().url, "u-1"), 13000321, /already exists/);
    assert.equal(sim().usage().userCount, 100);
  });

  it("refuses a user past the seats PUT /__sim/usage seeded, and a delete frees the seat again", async () => {
    const seeded = await post(sim().url, "/__sim/usage", { userCount: 99, userMaxCount: 100 }, {}, "PUT");
    assert.equal(seeded.status, 200);
    assertOk(await addUser(sim().url, "u-1"));
    assertRefused(await addUser(sim().url, "u-2"), ERROR_CODES.userLimitReached, /user limit reached: all 100/);
    assert.equal(sim().usage().userCount, 100);
    assertOk(await del(sim().url, user("u-1")));
    assert.equal(sim().usage().userCount, 99);
    assertOk(await addUser(sim().url, "u-2"));
    assert.equal(sim().usage().userCount, 100);
  });

  it("adds one user when 200 parallel requests add the same id", async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => addUser(sim().url, "same")));
    assert.equal(answers.filter((answer) => answer.status === 200).length, 1);
    assert.ok(
      answers
        .filter((answer) => answer.status !== 200)
        .every((answer) => envelope(answer).code === ERROR_CODES.alreadyExists),
    );
    await assertFigures({ userCount: 1 });
  });

  it("validates a user's body, naming the field", async () => {
    assertRefused(await addUser(sim().url, "u-1", "7", 3), 13000102, /role must be one of 0, 1, 2, 5/);
    assertRefused(await addUser(sim().url, "u-1", "x7"), 13000102, /deptId/);
    assertOk(await addUser(sim().url, "u-1"));
    assertRefused(
      await post(sim().url, user("u-1"), { status: 2 }, TOKEN_AUTH, "PUT"),
      13000102,
      /status must be one of 0, 1/,
    );
    assert.equal((await post(sim().url, USERS, { userId: "u-2", modifyUserInfoReq: {} })).status, 200);
    assert.deepEqual(
      sim()
        .users()
        .map(({ userId, deptId, role, status }) => ({ userId, deptId, role, status })),
      [
        { userId: "u-1", deptId: "7", role: 1, status: 0 },
        { userId: "u-2", deptId: "1", role: 1, status: 0 },
      ],
    );
  });

  it("creates, lists, reads, resizes and deletes a department space, the pool following each change", async () => {
    const created = assertOk(await createSpace(sim().url, "dept-9", 100, 0)).data as Record<string, string>;
    await assertFigures({ deptSpaceQuotaUsed: 100, spaceQuotaUsed: 100 });
    assert.deepEqual(
      { type: created.type, status: created.status, ownerId: created.ownerId, capacity: created.capacity },
      { type: "0", status: "0", ownerId: "dept-9", capacity: "100" },
    );
    assert.equal(created.tenantId, sim().subscription().tenantId);
    const containerId = created.containerId ?? "";
    assert.deepEqual(assertOk(await get(sim().url, container(containerId))).data, created);
    assert.deepEqual(assertOk(await get(sim().url, spaces("dept-9"))).data, [created]);
    assert.deepEqual(assertOk(await get(sim().url, spaces("dept-9", 1))).data, []);
    assert.deepEqual(assertOk(await get(sim().url, spaces("nobody"))).data, []);
    assertRefused(await createSpace(sim().url, "dept-9", 1, 0), ERROR_CODES.alreadyExists, /department dept-9/);
    await assertFigures({ deptSpaceQuotaUsed: 100, spaceQuotaUsed: 100 });

    const grow = (capacity: number) =>
      post(sim().url, space("dept-9"), { type: 0, capacity: String(capacity) }, TOKEN_AUTH, "PUT");
    assertOk(await grow(150));
    await assertFigures({ deptSpaceQuotaUsed: 150, spaceQuotaUsed: 150 });
    const free = DOCUMENTED_EXAMPLE.deptSpaceQuota - DOCUMENTED_EXAMPLE.deptSpaceQuotaUsed;
    assertRefused(await grow(free + 1), ERROR_CODES.insufficientSpace, /^insufficient space$/);
    assertOk(await grow(free));
    await assertFigures({ deptSpaceQuotaUsed: free, spaceQuotaUsed: free });
    assertOk(await grow(40));
    await assertFigures({ deptSpaceQuotaUsed: 40, spaceQuotaUsed: 40 });

    const disabled = await post(sim().url, space("dept-9"), { type: 0, status: "1" }, TOKEN_AUTH, "PUT");
    assertOk(disabled);
    assert.equal(sim().spaces()[0]?.status, 1);

    assertOk(await del(sim().url, `${space("dept-9")}?type=0`));
    await assertFigures({});
    assertRefused(await get(sim().url, container(containerId)), ERROR_CODES.spaceNotFound, /space does not exist/);
    assertRefused(await del(sim().url, `${space("dept-9")}?type=0`), 13000301, /department space of dept-9/);
    assertRefused(await grow(10), 13000301, /space does not exist/);
    assertRefused(await del(sim().url, space("dept-9")), 13000102, /type/);
  });

  it("keeps several personal spaces of one user apart by container id", async () => {
    const first = assertOk(await createSpace(sim().url, "u-1", 10, 1)).data as { containerId: string };
    const second = assertOk(await createSpace(sim().url, "u-1", 20, 1)).data as { containerId: string };
    await assertFigures({ personalSpaceQuotaUsed: 30, spaceQuotaUsed: 30 });
    assert.equal((assertOk(await get(sim().url, spaces("u-1", 1))).data as unknown[]).length, 2);
    assertRefused(
      await post(sim().url, space("u-1"), { type: 1, capacity: "30" }, TOKEN_AUTH, "PUT"),
      ERROR_CODES.parameterInvalid,
      /containerId is required, owner u-1 has 2 spaces/,
    );
    assertRefused(await del(sim().url, `${space("u-1")}?type=1`), 13000102, /containerId is required/);
    assertOk(
      await post(
        sim().url,
        space("u-1"),
        { type: 1, capacity: "30", containerId: second.containerId },
        TOKEN_AUTH,
        "PUT",
      ),
    );
    await assertFigures({ personalSpaceQuotaUsed: 40, spaceQuotaUsed: 40 });
    assertRefused(
      await del(sim().url, `${space("someone-else")}?type=1&containerId=${first.containerId}`),
      ERROR_CODES.spaceNotFound,
      /of owner someone-else/,
    );
    assertOk(await del(sim().url, `${space("u-1")}?type=1&containerId=${first.containerId}`));
    await assertFigures({ personalSpaceQuotaUsed: 30, spaceQuotaUsed: 30 });
    assert.deepEqual(
      sim()
        .spaces()
        .map((one) => one.containerId),
      [second.containerId],
    );
  });

  it("sets a space's stored data through PUT /__sim/stored, moves the figures, and refuses a shrink below it", async () => {
    const created = assertOk(await createSpace(sim().url, "dept-9", 10, 0)).data as { containerId: string };
    const stored = await post(
      sim().url,
      "/__sim/stored",
      { containerId: created.containerId, spaceUsed: 3 * KB_PER_GB },
      {},
      "PUT",
    );
    assert.equal(stored.status, 200, stored.text);
    assert.equal((stored.json as { spaceUsed: number }).spaceUsed, 3 * KB_PER_GB);
    await assertFigures({
      deptSpaceQuotaUsed: 10,
      spaceQuotaUsed: 10,
      deptSpaceUsed: 3 * KB_PER_GB,
      spaceUsed: 3 * KB_PER_GB,
    });
    assert.equal(
      (assertOk(await get(sim().url, container(created.containerId))).data as { spaceUsed: string }).spaceUsed,
      String(3 * KB_PER_GB),
    );
    assertRefused(
      await post(sim().url, space("dept-9"), { type: 0, capacity: "2" }, TOKEN_AUTH, "PUT"),
      ERROR_CODES.capacityBelowStored,
      /capacity 2 GB is below the 3145728 KB the space stores/,
    );
    assertOk(await post(sim().url, space("dept-9"), { type: 0, capacity: "3" }, TOKEN_AUTH, "PUT"));
    sim().setStored(created.containerId, KB_PER_GB);
    await assertFigures({ deptSpaceQuotaUsed: 3, spaceQuotaUsed: 3, deptSpaceUsed: KB_PER_GB, spaceUsed: KB_PER_GB });
    assertOk(await del(sim().url, `${space("dept-9")}?type=0`));
    await assertFigures({});

    const unknown = await post(sim().url, "/__sim/stored", { containerId: "nope", spaceUsed: 1 }, {}, "PUT");
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /no space nope/);
    const bad = await post(sim().url, "/__sim/stored", { containerId: "nope", spaceUsed: -1 }, {}, "PUT");
    assert.equal(bad.status, 400);
    assert.match(bad.text, /spaceUsed/);
    assert.throws(() => sim().setStored("nope", 1), /containerId: no space nope/);
  });

  it("deletes a user's personal spaces with the user, freeing the seat, the quota and the data", async () => {
    assertOk(await addUser(sim().url, "u-1"));
    const personal = assertOk(await createSpace(sim().url, "u-1", 20, 1)).data as { containerId: string };
    assertOk(await createSpace(sim().url, "u-1", 5, 1));
    assertOk(await createSpace(sim().url, "dept-1", 30, 0));
    sim().setStored(personal.containerId, 1000);
    await assertFigures({
      userCount: 1,
      personalSpaceQuotaUsed: 25,
      deptSpaceQuotaUsed: 30,
      spaceQuotaUsed: 55,
      personalSpaceUsed: 1000,
      spaceUsed: 1000,
    });
    assertOk(await del(sim().url, user("u-1")));
    await assertFigures({ deptSpaceQuotaUsed: 30, spaceQuotaUsed: 30 });
    assert.deepEqual(
      sim()
        .spaces()
        .map((one) => one.ownerId),
      ["dept-1"],
    );
    assert.deepEqual(sim().users(), []);
  });

  it("lists users and spaces on GET /__sim/users and /__sim/spaces", async () => {
    assertOk(await addUser(sim().url, "u-1"));
    assertOk(await createSpace(sim().url, "u-1", 10, 1));
    assert.deepEqual((await call(sim().url, "/__sim/users")).json, sim().users());
    assert.deepEqual((await call(sim().url, "/__sim/spaces")).json, sim().spaces());
  });

  it("commits a user before a truncate fault cuts the answer, and commits nothing under a reset", async () => {
    sim().queueFault("addUser", { kind: "truncate" });
    await assert.rejects(addUser(sim().url, "u-1"));
    assert.deepEqual(
      sim()
        .users()
        .map((one) => one.userId),
      ["u-1"],
    );
    sim().queueFault("addUser", { kind: "reset" });
    await assert.rejects(addUser(sim().url, "u-2"));
    assertRefused(await get(sim().url, user("u-2")), 13000309, /user u-2/);
    await assertFigures({ userCount: 1 });
  });

  /** Posts an add, waits until `ready()`, then hangs up before any answer. */
  async function addAbandoned(ready: () => boolean): Promise<void> {
    const controller = new AbortController();
    const body = { userId: "u-1", modifyUserInfoReq: {} };
    const sent = post(sim().url, USERS, body, TOKEN_AUTH, "POST", controller.signal);
    await waitUntil(ready);
    controller.abort();
    await assert.rejects(sent);
  }

  it("makes the change at once under a slowAnswer fault, even when the client hangs up before the answer", async () => {
    sim().queueFault("addUser", { kind: "slowAnswer", ms: 60_000 });
    await addAbandoned(() => sim().users().length === 1);
    await assertFigures({ userCount: 1 });
  });

  it("drops a delayed request unhandled when its client hangs up first", async () => {
    sim().queueFault("addUser", { kind: "delay", ms: 60_000 });
    await addAbandoned(() => sim().requestCount("addUser") === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await assertFigures({});
    assert.deepEqual(sim().users(), []);
  });
});

/** Polls until `done()` holds (at most 5 s). */
async function waitUntil(done: () => boolean): Promise<void> {
  const until = Date.now() + 5000;
  while (!done()) {
    assert.ok(Date.now() < until, "not done within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
