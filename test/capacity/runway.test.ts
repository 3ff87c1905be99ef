import assert from "node:assert/strict";
import fc from "fast-check";
import {
  appendReading,
  dailyGrowth,
  forecastRunway,
  judgeRunway,
  MAX_READINGS,
  type Reading,
  readingOf,
} from "../../provider/capacity/runway";
import { deriveUsage } from "../../provider/capacity/usage";
import { DOCUMENTED_EXAMPLE } from "../../provider/client/quota-used";

const DAY_MS = 86_400_000;
const DAY_0 = Date.parse("2026-11-01T00:00:00.000Z");
const usage = (patch: Partial<typeof DOCUMENTED_EXAMPLE> = {}) =>
  deriveUsage({ ...DOCUMENTED_EXAMPLE, ...patch }, "KB");
const at = (day: number) => new Date(DAY_0 + day * DAY_MS);
const reading = (day: number, userCount: number) => readingOf(usage({ userCount }), at(day));
/** Seats used on consecutive days from day 0, forecast against `userMaxCount` seats. */
const seatsRunway = (counts: readonly number[], userMaxCount = 100) =>
  forecastRunway(
    counts.map((count, day) => reading(day, count)),
    usage({ userCount: counts.at(-1) ?? 0, userMaxCount }),
  );
/** A shuffle of `items` decided by `seed`. */
const shuffled = <T>(items: readonly T[], seed: number): T[] =>
  items
    .map((item, index) => ({ item, key: (index * 7919 + seed) % 1009 }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);

describe("dailyGrowth, the robust growth rate", () => {
  const line = fc.record({
    origin: fc.integer({ min: -1000, max: 1000 }),
    slope: fc.integer({ min: -500, max: 500 }),
    days: fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 2, maxLength: 40 }),
  });
  const points = fc.array(
    fc.record({ day: fc.integer({ min: 0, max: 30 }), value: fc.integer({ min: 0, max: 10_000 }) }),
    { minLength: 2, maxLength: 30 },
  );

  it("gives the exact rate of constant growth, with a range of that rate alone", () => {
    fc.assert(
      fc.property(line, ({ origin, slope, days }) => {
        const growth = dailyGrowth(days.map((day) => ({ day, value: origin + slope * day })));
        assert.ok(growth !== null && Math.abs(growth.perDay - slope) < 1e-9, `rate ${growth?.perDay} for ${slope}`);
        for (const end of growth.range) assert.ok(Math.abs(end - slope) < 1e-9);
      }),
    );
  });

  it("gives the same rate and range for the same readings in any order", () => {
    fc.assert(
      fc.property(points, fc.nat(), (series, seed) => {
        assert.deepEqual(dailyGrowth(shuffled(series, seed)), dailyGrowth(series));
      }),
    );
  });

  it("has a range that contains the rate", () => {
    fc.assert(
      fc.property(points, (series) => {
        const growth = dailyGrowth(series);
        if (growth === null) return;
        assert.ok(growth.range[0] <= growth.perDay && growth.perDay <= growth.range[1], JSON.stringify(growth));
      }),
    );
  });

  it("never divides by zero: one day, or fewer than two points, has no rate", () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { maxLength: 20 }), (day, values) => {
        assert.equal(dailyGrowth(values.map((value) => ({ day, value }))), null);
      }),
    );
  });
});

describe("forecastRunway", () => {
  it("is not bent by a bulk onboarding: 20, 22, 24, 60, 62, 64 of 100 seats on six days is 2 a day, full in 18 days", () => {
    // A least-squares line through these readings climbs 10.7 a day (full in 3.4 days).
    const runway = seatsRunway([20, 22, 24, 60, 62, 64]);
    assert.deepEqual(runway.seats, {
      used: 64,
      capacity: 100,
      perDay: 2,
      perDayRange: [2, 36],
      daysUntilFull: 18,
      daysUntilFullRange: [1, 18],
      fullOn: "2026-11-24",
      fullOnRange: ["2026-11-07", "2026-11-24"],
    });
    assert.equal(runway.note, "from 6 readings over 5 days");
  });

  it("keeps perDay within 10 % of the rate when one step of any size interrupts constant growth", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -500, max: 500 }),
        fc.integer({ min: 4, max: 30 }),
        fc.nat(),
        fc.integer({ min: -50_000, max: 50_000 }),
        (slope, length, stepSeed, step) => {
          const stepAfter = 1 + (stepSeed % (length - 1));
          const counts = Array.from({ length }, (_, day) => 100_000 + slope * day + (day >= stepAfter ? step : 0));
          const { perDay } = seatsRunway(counts, 10_000_000).seats;
          assert.ok(perDay !== null && Math.abs(perDay - slope) <= 0.1 * Math.abs(slope), `${perDay} for ${slope}`);
        },
      ),
    );
  });

  it("gives the same forecast for the same readings in any order, with the point inside its range", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 29 }), count: fc.integer({ min: 0, max: 1000 }) }), {
          minLength: 3,
          maxLength: 30,
        }),
        fc.nat(),
        (series, seed) => {
          const history = series.map(({ day, count }) => reading(day, count));
          const now = usage({ userCount: 500, userMaxCount: 1000 });
          const runway = forecastRunway(history, now);
          assert.deepEqual(forecastRunway(shuffled(history, seed), now), runway);
          const { perDay, perDayRange, daysUntilFull, daysUntilFullRange } = runway.seats;
          if (perDay === null) return;
          assert.ok(perDayRange && perDayRange[0] <= perDay && perDay <= perDayRange[1]);
          const [soonest, latest] = daysUntilFullRange ?? [null, null];
          if (daysUntilFull !== null) {
            assert.ok(soonest !== null && soonest <= daysUntilFull);
            assert.ok(latest === null || daysUntilFull <= latest);
          }
        },
      ),
    );
  });

  it("forecasts nothing from fewer than 3 readings or under 3 days, and says what is missing", () => {
    const cases: [Reading[], string][] = [
      [[reading(0, 20)], "has 1 reading over 0 days; missing 2 more readings and 3 more days of history"],
      [[reading(0, 20), reading(10, 40)], "has 2 readings over 10 days; missing 1 more reading"],
      [
        [reading(0, 20), reading(1, 22), reading(2.5, 24)],
        "has 3 readings over 2.5 days; missing 0.5 more days of history",
      ],
    ];
    for (const [history, missing] of cases) {
      const runway = forecastRunway(history, usage({ userCount: 30 }));
      assert.deepEqual(
        [runway.seats.perDay, runway.seats.perDayRange, runway.seats.daysUntilFull, runway.seats.fullOnRange],
        [null, null, null, null],
      );
      assert.equal(
        runway.note,
        `not enough history for a forecast: needs 3 readings over at least 3 days within 30 days, ${missing}`,
      );
    }
  });

  it("gives no date when a figure is not growing, and 0 days when it is already full", () => {
    const shrinking = forecastRunway([reading(0, 40), reading(2, 36), reading(5, 30)], usage({ userCount: 30 }));
    assert.equal(shrinking.seats.perDay, -2);
    assert.equal(shrinking.seats.daysUntilFull, null);
    assert.deepEqual(shrinking.seats.daysUntilFullRange, [null, null]);
    const full = forecastRunway([reading(0, 90), reading(2, 94), reading(5, 100)], usage({ userCount: 100 }));
    assert.equal(full.seats.daysUntilFull, 0);
    assert.equal(full.seats.fullOn, "2026-11-06");
  });

  it("estimates only from the last 30 days", () => {
    const history = [reading(0, 0), reading(40, 20), reading(45, 30), reading(50, 40)];
    assert.equal(forecastRunway(history, usage({ userCount: 40 })).seats.perDay, 2);
  });

  it("forecasts each pool, all pools together and the stored data", () => {
    const at3 = (day: number, dept: number) =>
      readingOf(usage({ deptSpaceQuotaUsed: dept, spaceQuotaUsed: 285 + dept }), at(day));
    const now = usage({ deptSpaceQuotaUsed: 142, spaceQuotaUsed: 427 });
    const runway = forecastRunway([at3(0, 42), at3(5, 92), at3(10, 142)], now);
    assert.deepEqual(
      [runway.deptQuota.perDay, runway.allocatableQuota.perDay, runway.personalQuota.perDay],
      [10, 10, 0],
    );
    assert.equal(runway.deptQuota.daysUntilFull, round1((6144 - 142) / 10));
    assert.equal(runway.allocatableQuota.capacity, 6144 + 2048 + 2048);
    assert.equal(runway.storedData.capacity, DOCUMENTED_EXAMPLE.spaceCapacity);
  });
});

const round1 = (value: number) => Number(value.toFixed(1));

describe("appendReading", () => {
  it("adds a reading when a figure changed or a day has passed since the newest", () => {
    const history = [reading(0, 20)];
    assert.equal(appendReading(history, reading(0.5, 20)).length, 1);
    assert.equal(appendReading(history, reading(0.5, 21)).length, 2);
    assert.equal(appendReading(history, reading(1, 20)).length, 2);
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
  // 20 seats used at day 0, 30 at day 5, 40 at day 10, of 100: 2 a day, 30 days left.
  const usedAt10 = usage({ userCount: 40, userMaxCount: 100 });
  const runway = forecastRunway([reading(0, 20), reading(5, 30), reading(10, 40)], usedAt10);
  const asOf = at(10).toISOString();
  const alone = (seats = 0) => [{ name: "onboarding", growth: { seats } }];

  it("names the figure, the rate, the days left with their range and the date of a figure that runs out too soon", () => {
    const shortfalls = judgeRunway(runway, alone(), 45, asOf);
    assert.deepEqual(
      shortfalls.map((shortfall) => shortfall.message),
      ["seats: full in 30 days at 2 seats a day (on 2026-12-11) after the plan, under minRunwayDays 45"],
    );
    assert.deepEqual(
      { ...shortfalls[0], message: undefined },
      {
        figure: "seats",
        perDay: 2,
        daysUntilFull: 30,
        daysUntilFullRange: [30, 30],
        fullOn: "2026-12-11",
        minRunwayDays: 45,
        message: undefined,
      },
    );
  });

  it("counts the plan's new allocation as used", () => {
    assert.deepEqual(judgeRunway(runway, alone(), 30, asOf), []);
    const [shortfall] = judgeRunway(runway, alone(20), 30, asOf);
    assert.equal(shortfall?.daysUntilFull, 20);
    assert.equal(shortfall?.fullOn, "2026-12-01");
  });

  it("counts every guard's new allocation for the tenant, and names the guards it counted", () => {
    const shares = [
      { name: "pilot", growth: { seats: 10 } },
      { name: "onboarding", growth: { seats: 10 } },
      { name: "storage", growth: { deptQuota: 100 } },
    ];
    assert.deepEqual(judgeRunway(runway, shares.slice(0, 1), 20, asOf), [], "alone, 25 days are left");
    const [shortfall, ...rest] = judgeRunway(runway, shares, 21, asOf);
    assert.deepEqual(rest, []);
    assert.equal(
      shortfall?.message,
      "seats: full in 20 days at 2 seats a day (on 2026-12-01) after guards onboarding (10 seats) and pilot (10 seats) take 20 new seats together, under minRunwayDays 21",
    );
    assert.deepEqual(shortfall?.shares, [
      { name: "onboarding", new: 10 },
      { name: "pilot", new: 10 },
    ]);
  });

  it("finds no shortfall without enough history or without growth", () => {
    const single = forecastRunway([reading(10, 40)], usedAt10);
    assert.deepEqual(judgeRunway(single, alone(50), 1000, asOf), []);
    const flat = forecastRunway([reading(0, 40), reading(5, 40), reading(10, 40)], usedAt10);
    assert.deepEqual(judgeRunway(flat, alone(50), 1000, asOf), []);
  });
});

describe("forecastRunway far ahead", () => {
  it("counts a figure that would take more than a century as not running out, instead of an impossible date", () => {
    const vast = usage({ userCount: 21, userMaxCount: 1_000_000_000 });
    const runway = forecastRunway([reading(0, 20), reading(5, 20.5), reading(10, 21)], vast);
    assert.deepEqual(runway.seats, {
      used: 21,
      capacity: 1_000_000_000,
      perDay: 0.1,
      perDayRange: [0.1, 0.1],
      daysUntilFull: null,
      daysUntilFullRange: [null, null],
      fullOn: null,
      fullOnRange: [null, null],
    });
  });

  it("counts with the rate as shown, so a residue of a flat line is not growth", () => {
    const flat = forecastRunway([reading(0, 20), reading(5, 20), reading(10, 20.000001)], usage({ userCount: 20 }));
    assert.deepEqual([flat.seats.perDay, flat.seats.daysUntilFull, flat.seats.fullOn], [0, null, null]);
  });
});
