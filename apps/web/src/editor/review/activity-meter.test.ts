import { describe, expect, test } from "vitest";
import { createActivityMeter, IDLE_AFTER_MS, MAX_REPORT_SECONDS } from "./activity-meter";

describe("activity meter", () => {
  test("counts only the active stretches, in whole seconds, keeping the fraction for later", () => {
    const m = createActivityMeter();
    m.setActive(true, 0);
    m.setActive(false, 1_500); // 1.5 s active
    m.setActive(false, 60_000); // still inactive: counts nothing
    expect(m.take(60_000)).toEqual([1]);
    m.setActive(true, 100_000);
    expect(m.take(100_700)).toEqual([1]); // 0.5 kept + 0.7 = 1.2
    expect(m.take(101_000)).toEqual([]); // 0.2 + 0.3 = 0.5
    expect(m.take(101_500)).toEqual([1]);
  });

  test("an active stretch is counted up to the moment of each report", () => {
    const m = createActivityMeter();
    m.setActive(true, 10_000);
    expect(m.take(40_000)).toEqual([30]);
    m.input(50_000);
    expect(m.take(70_000)).toEqual([30]);
    m.setActive(true, 75_000); // said again: nothing lost, nothing doubled
    expect(m.take(100_000)).toEqual([30]);
  });

  test("a long stretch is split into reports the server accepts", () => {
    const m = createActivityMeter();
    m.setActive(true, 0);
    for (let t = 30_000; t <= 690_000; t += 30_000) m.input(t);
    expect(m.take(700_000)).toEqual([MAX_REPORT_SECONDS, MAX_REPORT_SECONDS, 100]);
    expect(MAX_REPORT_SECONDS).toBe(300);
  });

  test("nothing before the editor was ever active, and a clock going back counts nothing", () => {
    const m = createActivityMeter();
    expect(m.take(5_000)).toEqual([]);
    m.setActive(true, 10_000);
    m.setActive(false, 9_000);
    expect(m.take(20_000)).toEqual([]);
  });

  test("a focused editor nobody touches stops counting a minute after the last input", () => {
    const m = createActivityMeter();
    m.setActive(true, 0); // opening counts as input
    expect(m.take(10 * 60_000)).toEqual([IDLE_AFTER_MS / 1000]);
    m.input(20 * 60_000); // back at work
    expect(m.take(20 * 60_000 + 15_000)).toEqual([15]);
    // The rest of that minute (45 s) counts until the blur; refocusing starts a fresh minute (5 s).
    m.setActive(false, 21 * 60_000);
    m.setActive(true, 30 * 60_000);
    expect(m.take(30 * 60_000 + 5_000)).toEqual([50]);
  });
});
