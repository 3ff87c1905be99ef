import assert from "node:assert/strict";
import { deriveUsage } from "../../provider/capacity/usage";
import { DOCUMENTED_EXAMPLE, type QuotaUsedData } from "../../provider/client/quota-used";
import { USED_SPACE_UNITS, type UsedSpaceUnit } from "../../provider/client/units";
import { useLoopbackClients } from "../helpers/client-fixture";
import { quotaUsed, type Responder } from "../helpers/loopback-server";

const BYTES: Record<UsedSpaceUnit, number> = { B: 1, KB: 1024, MB: 1024 * 1024, GB: 1024 * 1024 * 1024 };
const roundTo = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/** The derived figures by the docs' formulas (docs/_index.md), computed here independently of sdk/usage.ts. */
function expectedDerived(data: QuotaUsedData, unit: UsedSpaceUnit) {
  const dept = data.deptSpaceQuota - data.deptSpaceQuotaUsed;
  const personal = data.personalSpaceQuota - data.personalSpaceQuotaUsed;
  const group = data.groupSpaceQuota - data.groupSpaceQuotaUsed;
  const spaceUsedGB = roundTo((data.spaceUsed * BYTES[unit]) / BYTES.GB, 3);
  return {
    remainingSeats: data.userMaxCount - data.userCount,
    remainingDeptQuotaGB: dept,
    remainingPersonalQuotaGB: personal,
    remainingGroupQuotaGB: group,
    remainingQuotaGB: dept + personal + group,
    spaceUsedGB,
    spaceUsedPercent: data.spaceCapacity === 0 ? 0 : roundTo((spaceUsedGB / data.spaceCapacity) * 100, 2),
    seatsUsedPercent: data.userMaxCount === 0 ? 0 : roundTo((data.userCount / data.userMaxCount) * 100, 2),
    usedSpaceUnit: unit,
  };
}

describe("deriveUsage", () => {
  it("derives the documented example's figures (KB)", () => {
    const usage = deriveUsage(DOCUMENTED_EXAMPLE, "KB");
    assert.deepEqual(usage, { ...DOCUMENTED_EXAMPLE, ...expectedDerived(DOCUMENTED_EXAMPLE, "KB") });
    // The notes: with pools and reserve partitioning the capacity, the remainder is capacity − reserve − used.
    const { spaceCapacity, reservedSpaceQuota, spaceQuotaUsed } = DOCUMENTED_EXAMPLE;
    assert.equal(usage.remainingQuotaGB, spaceCapacity - reservedSpaceQuota - spaceQuotaUsed);
    assert.equal(usage.remainingSeats, 80);
    assert.equal(usage.spaceUsedGB, 7.394);
  });

  for (const unit of USED_SPACE_UNITS) {
    it(`converts spaceUsed read as ${unit}`, () => {
      const usage = deriveUsage(DOCUMENTED_EXAMPLE, unit);
      assert.equal(usage.spaceUsedGB, expectedDerived(DOCUMENTED_EXAMPLE, unit).spaceUsedGB);
      assert.equal(usage.spaceUsedPercent, expectedDerived(DOCUMENTED_EXAMPLE, unit).spaceUsedPercent);
      assert.equal(usage.usedSpaceUnit, unit);
    });
  }

  it("reports 0 % rather than dividing by a zero capacity or seat count", () => {
    const empty = { ...DOCUMENTED_EXAMPLE, spaceCapacity: 0, userMaxCount: 0, userCount: 0 };
    const usage = deriveUsage(empty, "KB");
    assert.equal(usage.spaceUsedPercent, 0);
    assert.equal(usage.seatsUsedPercent, 0);
  });

  it("lets remaining figures go negative when a pool is over-allocated", () => {
    const usage = deriveUsage({ ...DOCUMENTED_EXAMPLE, groupSpaceQuotaUsed: 2100, userCount: 101 }, "KB");
    assert.equal(usage.remainingGroupQuotaGB, -52);
    assert.equal(usage.remainingSeats, -1);
  });

  describe("through KooDriveClient.getServiceUsage", () => {
    const loopback = useLoopbackClients();

    it("returns the 17 raw figures and the derived ones in the configured unit", async () => {
      const server = await loopback.server(quotaUsed());
      const usage = await loopback.tokenClient(server.url, { usedSpaceUnit: "MB" }).getServiceUsage();
      assert.deepEqual(usage, { ...DOCUMENTED_EXAMPLE, ...expectedDerived(DOCUMENTED_EXAMPLE, "MB") });
    });

    it("dates a reading by KooDrive's Date header, or by the local clock when it is missing or unparseable", async () => {
      const dated =
        (date: string | undefined): Responder =>
        (request, response) => {
          if (date === undefined) response.sendDate = false;
          else response.setHeader("date", date);
          quotaUsed()(request, response);
        };
      const server = await loopback.server(dated("Wed, 11 Nov 2026 00:00:00 GMT"), dated(undefined), dated("soon"));
      const client = loopback.tokenClient(server.url);
      const fromServer = await client.readServiceUsage();
      assert.deepEqual([fromServer.takenAt.toISOString(), fromServer.clock], ["2026-11-11T00:00:00.000Z", "koodrive"]);
      for (const _ of ["missing", "unparseable"]) {
        const before = Date.now();
        const local = await client.readServiceUsage();
        assert.equal(local.clock, "local");
        assert.ok(local.takenAt.getTime() >= before && local.takenAt.getTime() <= Date.now());
      }
    });
  });
});
