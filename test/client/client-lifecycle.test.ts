import assert from "node:assert/strict";
import { KooDriveHttpClient } from "../../provider/client/client";
import { UnconfirmedAddError } from "../../provider/client/errors";
import { DOCUMENTED_EXAMPLE, type QuotaUsedData } from "../../provider/client/quota-used";
import { type KooDriveClientOptions, resolveSettings } from "../../provider/config/settings";
import { KB_PER_GB } from "../../sim";
import { rejectsWithCode, TEST_APP, TEST_TOKEN } from "../helpers/secrets";
import { useSimulator } from "../helpers/simulator";

/** The documented example tenant with `changes` added to its figures. */
function figures(changes: Partial<Record<keyof QuotaUsedData, number>>): QuotaUsedData {
  const expected: QuotaUsedData = { ...DOCUMENTED_EXAMPLE };
  for (const [key, delta] of Object.entries(changes)) {
    Object.assign(expected, { [key]: (expected[key as keyof QuotaUsedData] as number) + delta });
  }
  return expected;
}

/** Clients made by a test, closed after it. */
function useClients() {
  const clients: KooDriveHttpClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  return (url: string, options: KooDriveClientOptions = {}): KooDriveHttpClient => {
    const client = new KooDriveHttpClient(
      resolveSettings({ endpoint: url, accessToken: TEST_TOKEN, env: {}, retryBaseDelayMs: 1, ...options }),
    );
    clients.push(client);
    return client;
  };
}

describe("KooDriveHttpClient: users and spaces against koodrive-sim", () => {
  const sim = useSimulator({ fixture: { tokens: [TEST_TOKEN], apps: [TEST_APP] } });
  const clientOf = useClients();

  it("adds, reads, changes and deletes a user, the figures following each change", async () => {
    const client = clientOf(sim().url);
    const added = await client.createUser({ userId: "1008600000293202821", deptId: "1243693141656107521", role: 1 });
    assert.equal(added.confirmedBy, "answer");
    assert.equal(added.unclear, undefined);
    assert.deepEqual(
      { ...added.record, id: undefined },
      {
        userId: "1008600000293202821",
        deptId: "1243693141656107521",
        deptName: "dept-1243693141656107521",
        role: 1,
        status: 0,
        id: undefined,
        orgId: sim().subscription().organizationId,
        mobile: "",
        name: "user-1008600000293202821",
      },
    );
    assert.deepEqual(sim().usage(), figures({ userCount: 1 }));
    assert.deepEqual(await client.getQuotaUsed(), figures({ userCount: 1 }));

    assert.deepEqual(await client.readUser("1008600000293202821"), added.record);
    assert.equal(await client.readUser("nobody"), undefined);

    const changed = await client.updateUser("1008600000293202821", { role: 5, status: 1, deptId: "42" });
    assert.deepEqual(changed, { ...added.record, role: 5, status: 1, deptId: "42", deptName: "dept-42" });
    assert.deepEqual(sim().usage(), figures({ userCount: 1 }));

    assert.equal(await client.deleteUser("1008600000293202821"), "deleted");
    assert.deepEqual(sim().usage(), figures({}));
    assert.equal(await client.readUser("1008600000293202821"), undefined);
    assert.equal(await client.deleteUser("1008600000293202821"), "absent");
    const missing = await rejectsWithCode(
      client.updateUser("1008600000293202821", { role: 0 }),
      "ERR_KOODRIVE_NOT_FOUND",
    );
    assert.equal(missing.koodriveCode, 13000309);
    assert.deepEqual(sim().usage(), figures({}));
  });

  it("adds a user with app authentication, the signature covering the body", async () => {
    const client = clientOf(sim().url, { accessToken: undefined, ...TEST_APP });
    const added = await client.createUser({ userId: "u-app" });
    assert.deepEqual([added.record.userId, added.record.deptId, added.record.role], ["u-app", "1", 1]);
    assert.ok(
      sim()
        .requestLog()
        .every((entry) => entry.authMode === "app" && entry.status === 200),
    );
    assert.equal(await client.deleteUser("u-app"), "deleted");
  });

  it("reports KooDrive's refusals as their errors, with its code and the trace id, taking nothing", async () => {
    const client = clientOf(sim().url, { retries: 3 });
    await client.createUser({ userId: "u-1" });
    const exists = await rejectsWithCode(client.createUser({ userId: "u-1", role: 0 }), "ERR_KOODRIVE_ALREADY_EXISTS");
    assert.equal(exists.koodriveCode, 13000321);
    assert.equal(exists.status, 400);
    assert.match(exists.message, /already exists: user u-1 \(trace id [0-9a-f-]+\)/);
    assert.equal(exists.traceId, sim().requestLog().at(-1)?.traceId);
    sim().setUsage({ userCount: 100 });
    const full = await rejectsWithCode(client.createUser({ userId: "u-2" }), "ERR_KOODRIVE_SEAT_LIMIT");
    assert.equal(full.koodriveCode, 13000320);
    assert.equal(sim().requestCount("addUser"), 3, "a refusal is not sent again");
    assert.deepEqual(
      sim()
        .users()
        .map((user) => user.userId),
      ["u-1"],
    );
    assert.equal(sim().usage().userCount, 100);
  });

  it("refuses bad input before sending anything, naming the field", async () => {
    const client = clientOf(sim().url);
    const cases: [Promise<unknown>, RegExp][] = [
      [client.createUser({ userId: "" }), /invalid user: userId must be a KooDrive user id/],
      [client.createUser({ userId: "a/b" }), /no "\/"/],
      [
        client.createUser({ userId: "u", deptId: "12x" }),
        /deptId must be a department id of decimal digits, not "12x"/,
      ],
      [client.createUser({ userId: "u", role: 3 }), /role must be one of 0, 1, 2, 5, not 3/],
      [client.updateUser("u", { status: 2 }), /invalid user change: status must be 0 \(enabled\) or 1 \(disabled\)/],
      [
        client.createSpace({ ownerId: "o", type: 0, capacity: 0 }),
        /capacity must be a whole number of GB, at least 1, not 0/,
      ],
      [
        client.createSpace({ ownerId: "o", type: 2 as 0, capacity: 1 }),
        /type must be 0 \(department\) or 1 \(personal\)/,
      ],
      [client.updateSpace({ ownerId: "o", type: 0 }, { capacity: 1.5 }), /capacity must be a whole number/],
    ];
    for (const [call, message] of cases) {
      const error = await rejectsWithCode(call, "ERR_KOODRIVE_CONFIGURATION");
      assert.match(error.message, message);
      assert.match(error.message, /nothing was sent/);
    }
    assert.equal(sim().requestCount(), 0);
  });

  it("creates, lists, reads, resizes and deletes a department space, the pool following each change", async () => {
    const client = clientOf(sim().url);
    const added = await client.createSpace({ ownerId: "dept-9", type: 0, capacity: 100 });
    assert.equal(added.confirmedBy, "answer");
    const { containerId } = added.record;
    assert.deepEqual(
      { ...added.record, createTime: undefined, updateTime: undefined },
      {
        type: 0,
        status: 0,
        ownerId: "dept-9",
        containerId,
        capacity: 100,
        spaceUsed: 0,
        tenantId: sim().subscription().tenantId,
        createTime: undefined,
        updateTime: undefined,
      },
    );
    assert.deepEqual(await client.getQuotaUsed(), figures({ deptSpaceQuotaUsed: 100, spaceQuotaUsed: 100 }));
    assert.deepEqual(await client.listSpaces("dept-9"), [added.record]);
    assert.deepEqual(await client.listSpaces("dept-9", 1), []);
    assert.deepEqual(await client.readSpace(containerId), added.record);
    await rejectsWithCode(
      client.createSpace({ ownerId: "dept-9", type: 0, capacity: 1 }),
      "ERR_KOODRIVE_ALREADY_EXISTS",
    );

    const grown = await client.updateSpace({ ownerId: "dept-9", type: 0 }, { capacity: 150 });
    assert.equal(grown.capacity, 150);
    assert.deepEqual(sim().usage(), figures({ deptSpaceQuotaUsed: 150, spaceQuotaUsed: 150 }));
    const free = DOCUMENTED_EXAMPLE.deptSpaceQuota - DOCUMENTED_EXAMPLE.deptSpaceQuotaUsed;
    const tooBig = await rejectsWithCode(
      client.updateSpace({ ownerId: "dept-9", type: 0, containerId }, { capacity: free + 1 }),
      "ERR_KOODRIVE_INSUFFICIENT_SPACE",
    );
    assert.equal(tooBig.koodriveCode, 13000311);
    assert.deepEqual(sim().usage(), figures({ deptSpaceQuotaUsed: 150, spaceQuotaUsed: 150 }));

    sim().setStored(containerId, 20 * KB_PER_GB);
    assert.equal((await client.readSpace(containerId))?.spaceUsed, 20 * KB_PER_GB);
    const belowStored = await rejectsWithCode(
      client.updateSpace({ ownerId: "dept-9", type: 0 }, { capacity: 10 }),
      "ERR_KOODRIVE_SERVICE",
    );
    assert.equal(belowStored.koodriveCode, 13000322);
    const shrunk = await client.updateSpace({ ownerId: "dept-9", type: 0, containerId }, { capacity: 20, status: 1 });
    assert.deepEqual([shrunk.capacity, shrunk.status], [20, 1]);
    assert.deepEqual(
      await client.getQuotaUsed(),
      figures({ deptSpaceQuotaUsed: 20, spaceQuotaUsed: 20, deptSpaceUsed: 20 * KB_PER_GB, spaceUsed: 20 * KB_PER_GB }),
    );

    assert.equal(await client.deleteSpace({ ownerId: "dept-9", type: 0 }), "deleted");
    assert.deepEqual(await client.getQuotaUsed(), figures({}));
    assert.equal(await client.readSpace(containerId), undefined);
    assert.equal(await client.deleteSpace({ ownerId: "dept-9", type: 0 }), "absent");
    await rejectsWithCode(
      client.updateSpace({ ownerId: "dept-9", type: 0 }, { capacity: 5 }),
      "ERR_KOODRIVE_NOT_FOUND",
    );
  });

  it("keeps a user's personal spaces apart by container id, and deletes them with the user", async () => {
    const client = clientOf(sim().url);
    await client.createUser({ userId: "u-1" });
    const first = await client.createSpace({ ownerId: "u-1", type: 1, capacity: 10 });
    const second = await client.createSpace({ ownerId: "u-1", type: 1, capacity: 20 });
    assert.deepEqual(sim().usage(), figures({ userCount: 1, personalSpaceQuotaUsed: 30, spaceQuotaUsed: 30 }));
    const ambiguous = await rejectsWithCode(
      client.updateSpace({ ownerId: "u-1", type: 1 }, { capacity: 5 }),
      "ERR_KOODRIVE_SERVICE",
    );
    assert.match(ambiguous.message, /containerId is required, owner u-1 has 2 spaces/);
    const resized = await client.updateSpace(
      { ownerId: "u-1", type: 1, containerId: second.record.containerId },
      { capacity: 5 },
    );
    assert.equal(resized.capacity, 5);
    assert.equal(
      await client.deleteSpace({ ownerId: "u-1", type: 1, containerId: first.record.containerId }),
      "deleted",
    );
    assert.deepEqual(sim().usage(), figures({ userCount: 1, personalSpaceQuotaUsed: 5, spaceQuotaUsed: 5 }));
    sim().setStored(second.record.containerId, 1234);
    assert.equal(await client.deleteUser("u-1"), "deleted");
    assert.deepEqual(await client.getQuotaUsed(), figures({}));
    assert.deepEqual(await client.listSpaces("u-1"), []);
  });
});

describe("KooDriveHttpClient: adds that cannot add twice", () => {
  const sim = useSimulator({ fixture: { tokens: [TEST_TOKEN] } });
  const clientOf = useClients();

  /** The adds the simulator received (its POSTs of users), with their trace ids. */
  const addsSent = () =>
    sim()
      .requestLog()
      .filter((entry) => entry.endpoint === "addUser");

  for (const { name, fault } of [
    { name: "HTTP 500", fault: { kind: "status", status: 500 } },
    { name: "HTTP 503 with Retry-After", fault: { kind: "status", status: 503, headers: { "Retry-After": "0" } } },
    { name: "a gateway's HTML 502", fault: { kind: "html", status: 502 } },
    { name: "a reset connection", fault: { kind: "reset" } },
  ] as const) {
    it(`sends an add once after ${name}, reads back, and says it cannot tell, adding nothing`, async () => {
      sim().queueFault("addUser", fault, 5);
      const error = await rejectsWithCode(
        clientOf(sim().url, { retries: 4 }).createUser({ userId: "u-1" }),
        "ERR_KOODRIVE_UNCONFIRMED_ADD",
      );
      assert.ok(error instanceof UnconfirmedAddError);
      assert.equal(error.added, "unknown");
      assert.match(error.message, /^cannot tell whether user u-1 was added: the add's outcome is unclear \(/);
      assert.match(error.message, /reading back found none\. The add was not sent again/);
      assert.equal(error.traceId, addsSent()[0]?.traceId, "the add's own trace id");
      assert.ok(isCause(error.cause), "the unclear failure is the cause");
      assert.equal(addsSent().length, 1, "sent once");
      assert.equal(sim().requestCount("getUser"), 1, "read back");
      assert.deepEqual(sim().users(), []);
      assert.deepEqual(sim().usage(), figures({}));
    });
  }

  it("finds by reading back a user whose answer was cut off, and reports it added", async () => {
    sim().queueFault("addUser", { kind: "truncate" });
    const added = await clientOf(sim().url, { retries: 4 }).createUser({ userId: "u-1", role: 2 });
    assert.equal(added.confirmedBy, "read-back");
    assert.equal(added.unclear?.code, "ERR_KOODRIVE_NETWORK");
    assert.match(added.unclear?.message ?? "", /cut off/);
    assert.deepEqual([added.record.userId, added.record.role], ["u-1", 2]);
    assert.equal(addsSent().length, 1);
    assert.deepEqual(sim().usage(), figures({ userCount: 1 }));
  });

  it("reads back a user whose add timed out after KooDrive made it, and reports it added once", async () => {
    sim().queueFault("addUser", { kind: "slowAnswer", ms: 2000 });
    const added = await clientOf(sim().url, { retries: 4, timeoutMs: 300 }).createUser({ userId: "u-1" });
    assert.equal(added.confirmedBy, "read-back");
    assert.equal(added.unclear?.code, "ERR_KOODRIVE_TIMEOUT");
    assert.match(added.unclear?.message ?? "", /no answer from 127\.0\.0\.1:\d+ within 300 ms/);
    assert.equal(addsSent().length, 1);
    assert.deepEqual(sim().usage(), figures({ userCount: 1 }));
  });

  it("sends an add once when it times out before KooDrive made it, and says it cannot tell", async () => {
    sim().queueFault("addUser", { kind: "delay", ms: 2000 });
    const client = clientOf(sim().url, { retries: 4, timeoutMs: 300 });
    const error = await rejectsWithCode(client.createUser({ userId: "u-1" }), "ERR_KOODRIVE_UNCONFIRMED_ADD");
    assert.match(error.message, /no answer from 127\.0\.0\.1:\d+ within 300 ms/);
    assert.match(error.message, /KooDrive may still make it if the request reached it late/);
    assert.equal(addsSent().length, 1);
    assert.deepEqual(sim().users(), []);
    // Adding it again, after reading (as the error says): it is added once.
    assert.equal(await client.readUser("u-1"), undefined);
    assert.equal((await client.createUser({ userId: "u-1" })).confirmedBy, "answer");
    assert.equal(addsSent().length, 2);
    assert.deepEqual(sim().usage(), figures({ userCount: 1 }));
  });

  it("does not send an add again after a clear refusal or a 429", async () => {
    sim().queueFault("addUser", { kind: "status", status: 429, headers: { "Retry-After": "0" } });
    const limited = await rejectsWithCode(
      clientOf(sim().url, { retries: 4 }).createUser({ userId: "u-1" }),
      "ERR_KOODRIVE_SERVICE",
    );
    assert.match(limited.message, /rate limited/);
    assert.equal(addsSent().length, 1);
    assert.equal(sim().requestCount("getUser"), 0, "a refusal is not read back");
    assert.deepEqual(sim().usage(), figures({}));
  });

  it("says so when KooDrive answers success but the user cannot be found", async () => {
    sim().queueFault("addUser", { kind: "data", data: {} });
    const error = await rejectsWithCode(
      clientOf(sim().url).createUser({ userId: "u-1" }),
      "ERR_KOODRIVE_UNCONFIRMED_ADD",
    );
    assert.equal((error as UnconfirmedAddError).added, "yes");
    assert.match(error.message, /KooDrive answered that it added user u-1, but reading it back found none/);
  });

  it("says what it knows when reading back fails too", async () => {
    sim().queueFault("addUser", { kind: "status", status: 502 });
    sim().queueFault("getUser", { kind: "status", status: 503 }, 10);
    const error = await rejectsWithCode(
      clientOf(sim().url, { retries: 1 }).createUser({ userId: "u-1" }),
      "ERR_KOODRIVE_UNCONFIRMED_ADD",
    );
    assert.match(error.message, /HTTP 502.*reading back failed too \(KooDrive returned HTTP 503/);
    assert.equal(addsSent().length, 1);
    assert.equal(sim().requestCount("getUser"), 2, "the read back is retried as any read");
  });

  it("sends an add again while the connection is refused, so it arrives once when KooDrive comes up", async () => {
    const port = sim().port;
    await sim().close();
    const client = clientOf(`http://127.0.0.1:${port}`, { retries: 30, retryBaseDelayMs: 20, deadlineMs: 20_000 });
    const adding = client.createUser({ userId: "u-1" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { startSimulator } = await import("../../sim");
    const later = await startSimulator({ port, fixture: { tokens: [TEST_TOKEN] } });
    try {
      const added = await adding;
      assert.equal(added.confirmedBy, "answer");
      assert.equal(later.requestCount("addUser"), 1);
      assert.equal(later.usage().userCount, DOCUMENTED_EXAMPLE.userCount + 1);
    } finally {
      await later.close();
    }
  });

  it("gives up on a refused connection after its retries, naming the attempts, having added nothing", async () => {
    const port = sim().port;
    await sim().close();
    const error = await rejectsWithCode(
      clientOf(`http://127.0.0.1:${port}`, { retries: 2 }).createUser({ userId: "u-1" }),
      "ERR_KOODRIVE_NETWORK",
    );
    assert.equal(error.attempts, 3);
    assert.match(error.message, /refused the connection/);
  });

  it("sends each of many parallel adds once through a storm of unclear failures, and no user twice", async () => {
    sim().queueFault("addUser", { kind: "truncate" }, 10);
    sim().queueFault("addUser", { kind: "status", status: 503 }, 10);
    sim().queueFault("addUser", { kind: "reset" }, 10);
    const client = clientOf(sim().url, { retries: 3 });
    const ids = Array.from({ length: 40 }, (_, n) => `u-${n}`);
    const outcomes = await Promise.allSettled(ids.map((userId) => client.createUser({ userId })));
    assert.equal(addsSent().length, 40, "each add sent once");
    const made = sim()
      .users()
      .map((user) => user.userId);
    assert.equal(new Set(made).size, made.length);
    assert.equal(made.length, 20, "the 10 cut-off and the 10 fault-free adds");
    assert.deepEqual(sim().usage(), figures({ userCount: 20 }));
    const byId = new Map(ids.map((id, n) => [id, outcomes[n]]));
    for (const id of made) {
      const outcome = byId.get(id);
      assert.equal(outcome?.status, "fulfilled", `${id} was made and reported added`);
    }
    const unconfirmed = outcomes.filter((outcome) => outcome.status === "rejected");
    assert.equal(unconfirmed.length, 20);
    assert.ok(unconfirmed.every((outcome) => (outcome.reason as Error).name === "UnconfirmedAddError"));
  });

  it("reads a space back after an unclear failure, and tells it from the owner's earlier spaces", async () => {
    const client = clientOf(sim().url, { retries: 3 });
    const earlier = await client.createSpace({ ownerId: "u-1", type: 1, capacity: 10 });
    sim().queueFault("createSpace", { kind: "truncate" });
    const added = await client.createSpace({ ownerId: "u-1", type: 1, capacity: 20 });
    assert.equal(added.confirmedBy, "read-back");
    assert.notEqual(added.record.containerId, earlier.record.containerId);
    assert.equal(added.record.capacity, 20);
    sim().queueFault("createSpace", { kind: "status", status: 500 });
    const error = await rejectsWithCode(
      client.createSpace({ ownerId: "u-1", type: 1, capacity: 30 }),
      "ERR_KOODRIVE_UNCONFIRMED_ADD",
    );
    assert.match(error.message, /cannot tell whether a 30 GB individual space of u-1 was added/);
    assert.equal(sim().requestCount("createSpace"), 3);
    assert.deepEqual(sim().usage(), figures({ personalSpaceQuotaUsed: 30, spaceQuotaUsed: 30 }));
  });
});

function isCause(cause: unknown): boolean {
  return cause instanceof Error && /ERR_KOODRIVE_(SERVICE|NETWORK)/.test(String((cause as { code?: string }).code));
}
