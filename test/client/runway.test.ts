import assert from "node:assert/strict";
import fc from "fast-check";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";
import {
  appendReading,
  fitRate,
  forecastRunway,
  judgeRunway,
  MAX_READINGS,
  type Reading,
  readingOf,
} from "../../provider/client/runway";
import { deriveUsage } from "../../provider/client/usage";

const DAY_MS = 86_400_000;
const DAY_0 = Date.parse("2026-11-01T00:00:00.000Z");
const usage = (patch: Partial<typeof DOCUMENTED_EXAMPLE> = {}) =>
  deriveUsage({ ...DOCUMENTED_EXAMPLE, ...patch }, "KB");
const at = (day: number) => new Date(DAY_0 + day * DAY_MS);
const reading = (day: number, userCount: number) => readingOf(usage({ userCount }), at(day));

describe("fitRate, the least-squares growth rate", () => {
  const line = fc.record({
    origin: fc.integer({ min: -1000, max: 1000 }),
    slope: fc.integer({ min: -500, max: 500 }),
    days: fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 2, maxLength: 40 }),
  });

  it("gives the exact rate of constant growth", () => {
    fc.assert(
      fc.property(line, ({ origin, slope, days }) => {
        const rate = fitRate(days.map((day) => ({ day, value: origin + slope * day })));
        assert.ok(rate !== null && Math.abs(rate - slope) < 1e-9, `rate ${rate} for slope ${slope}`);
      }),
    );
  });

  it("gives the same rate for the same readings in any order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 30 }), value: fc.integer({ min: 0, max: 10_000 }) }), {
          minLength: 2,
          maxLength: 30,
        }),
        fc.nat(),
        (points, seed) => {
          const shuffled = [...points].sort(
            (a, b) => ((a.day * 31 + a.value + seed) % 7) - ((b.day * 31 + b.value + seed) % 7),
          );
          assert.equal(fitRate(shuffled), fitRate(points));
        },
      ),
    );
  });

  it("never divides by zero: one day, or fewer than two points, has no rate", () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { maxLength: 20 }), (day, values) => {
        assert.equal(fitRate(values.map((value) => ({ day, value }))), null);
      }),
    );
  });
});

describe("forecastRunway", () => {
  it("forecasts seats from day 0 with 20 used to day 10 with 40 used: 2 a day, full in 30 days", () => {
    const history = [reading(0, 20), reading(10, 40)];
    const runway = forecastRunway(history, usage({ userCount: 40 }));
    assert.deepEqual(runway.seats, { used: 40, capacity: 100, perDay: 2, daysUntilFull: 30, fullOn: "2026-12-11" });
    assert.equal(runway.readings, 2);
    assert.equal(runway.spanDays, 10);
    assert.match(runway.note, /from 2 readings over 10 days; a forecast from few readings is rough/);
  });

  it("has no rate with one reading, or readings less than a day apart, and says why", () => {
    for (const history of [[reading(0, 20)], [reading(0, 20), readingOf(usage({ userCount: 30 }), at(0.5))]]) {
      const runway = forecastRunway(history, usage({ userCount: 30 }));
      assert.equal(runway.seats.perDay, null);
      assert.equal(runway.seats.daysUntilFull, null);
      assert.equal(runway.seats.fullOn, null);
      assert.match(runway.note, /^not enough history: needs 2 readings at least 1 day apart/);
    }
  });

  it("gives no date when a figure is not growing, and 0 days when it is already full", () => {
    const shrinking = forecastRunway([reading(0, 40), reading(5, 30)], usage({ userCount: 30 }));
    assert.equal(shrinking.seats.perDay, -2);
    assert.equal(shrinking.seats.daysUntilFull, null);
    const full = forecastRunway([reading(0, 90), reading(5, 100)], usage({ userCount: 100 }));
    assert.equal(full.seats.daysUntilFull, 0);
    assert.equal(full.seats.fullOn, "2026-11-06");
  });

  it("fits only the last 30 days", () => {
    const history = [reading(0, 0), reading(40, 20), reading(50, 40)];
    assert.equal(forecastRunway(history, usage({ userCount: 40 })).seats.perDay, 2);
  });

  it("forecasts each pool, all pools together and the stored data", () => {
    const before = readingOf(usage({ deptSpaceQuotaUsed: 42, spaceQuotaUsed: 327 }), at(0));
    const after = readingOf(usage({ deptSpaceQuotaUsed: 142, spaceQuotaUsed: 427 }), at(10));
    const runway = forecastRunway([before, after], usage({ deptSpaceQuotaUsed: 142, spaceQuotaUsed: 427 }));
    assert.deepEqual(
      [runway.deptQuota.perDay, runway.allocatableQuota.perDay, runway.personalQuota.perDay],
      [10, 10, 0],
    );
    assert.equal(runway.deptQuota.daysUntilFull, (6144 - 142) / 10);
    assert.equal(runway.allocatableQuota.capacity, 6144 + 2048 + 2048);
    assert.equal(runway.storedData.capacity, DOCUMENTED_EXAMPLE.spaceCapacity);
  });
});

describe("appendReading", () => {
  it("adds a reading only when the figures changed", () => {
    const history = [reading(0, 20)];
    assert.equal(appendReading(history, reading(1, 20)).length, 1);
    assert.equal(appendReading(history, reading(1, 21)).length, 2);
  });

  it(`keeps at most ${MAX_READINGS} readings, always the first and the newest, thinning the densest`, () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 300 }), (gapsInMinutes) => {
        let history: Reading[] = [];
        let time = DAY_0;
        gapsInMinutes.forEach((gap, index) => {
          time += gap * 60_000;
          history = appendReading(history, readingOf(usage({ userCount: index % 100 }), new Date(time)));
        });
        assert.ok(history.length <= MAX_READINGS);
        assert.equal(history[0]?.takenAt, new Date(DAY_0 + (gapsInMinutes[0] as number) * 60_000).toISOString());
        assert.equal(history.at(-1)?.takenAt, new Date(time).toISOString());
        const times = history.map((entry) => Date.parse(entry.takenAt));
        assert.deepEqual(
          times,
          [...times].sort((a, b) => a - b),
        );
      }),
    );
  });

  it("thins a dense burst before the sparse past", () => {
    const sparse = [0, 10, 20].map((day) => reading(day, day));
    const burst = Array.from({ length: 5 }, (_, index) =>
      readingOf(usage({ userCount: 50 + index }), at(30 + index / 100)),
    );
    const history = [...sparse, ...burst].reduce<Reading[]>((kept, next) => appendReading(kept, next, 5), []);
    assert.deepEqual(
      history.map((entry) => entry.userCount),
      [0, 10, 20, 50, 54],
    );
  });
});

describe("judgeRunway, the guard's minRunwayDays", () => {
  // 20 seats used at day 0, 40 at day 10, of 100: 2 a day, 30 days left.
  const usedAt10 = usage({ userCount: 40, userMaxCount: 100 });
  const runway = forecastRunway([reading(0, 20), reading(10, 40)], usedAt10);
  const asOf = at(10).toISOString();

  it("names the figure, the rate, the days left and the date of a figure that runs out too soon", () => {
    const shortfalls = judgeRunway(runway, {}, 45, asOf);
    assert.deepEqual(
      shortfalls.map((shortfall) => shortfall.message),
      ["seats: full in 30 days at 2 a day (on 2026-12-11) after the plan, under minRunwayDays 45"],
    );
    assert.deepEqual(
      { ...shortfalls[0], message: undefined },
      { figure: "seats", perDay: 2, daysUntilFull: 30, fullOn: "2026-12-11", minRunwayDays: 45, message: undefined },
    );
  });

  it("counts the plan's new allocation as used", () => {
    assert.deepEqual(judgeRunway(runway, {}, 30, asOf), []);
    const [shortfall] = judgeRunway(runway, { seats: 20 }, 30, asOf);
    assert.equal(shortfall?.daysUntilFull, 20);
    assert.equal(shortfall?.fullOn, "2026-12-01");
  });

  it("finds no shortfall without enough history or without growth", () => {
    const single = forecastRunway([reading(10, 40)], usedAt10);
    assert.deepEqual(judgeRunway(single, { seats: 50 }, 1000, asOf), []);
    const flat = forecastRunway([reading(0, 40), reading(10, 40)], usedAt10);
    assert.deepEqual(judgeRunway(flat, { seats: 50 }, 1000, asOf), []);
  });
});

describe("forecastRunway far ahead", () => {
  it("counts a figure that would take more than a century as not running out, instead of an impossible date", () => {
    const vast = usage({ userCount: 21, userMaxCount: 1_000_000_000 });
    const runway = forecastRunway([reading(0, 20), reading(10, 21)], vast);
    assert.deepEqual(runway.seats, {
      used: 21,
      capacity: 1_000_000_000,
      perDay: 0.1,
      daysUntilFull: null,
      fullOn: null,
    });
  });

  it("counts with the rate as shown, so a residue of a flat line is not growth", () => {
    const flat = forecastRunway([reading(0, 20), reading(10, 20.000001)], usage({ userCount: 20 }));
    assert.deepEqual([flat.seats.perDay, flat.seats.daysUntilFull, flat.seats.fullOn], [0, null, null]);
  });
});
