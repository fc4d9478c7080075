import { ActivityReport } from "@labelbench/schema";

/** The most one report may carry (the contract's limit). */
export const MAX_REPORT_SECONDS = ActivityReport.shape.seconds.maxValue ?? 300;
/** How often focused time is reported while the user works. */
export const REPORT_EVERY_MS = 30_000;
/**
 * A focused editor nobody touches stops counting this long after the last key, pointer or wheel
 * event: a tab left open over lunch is not an hour of work. A minute covers reading an image
 * before the first click.
 */
export const IDLE_AFTER_MS = 60_000;

/**
 * Focused editor time, counted only while the editor is active (tab visible and window focused) and
 * in use (input within IDLE_AFTER_MS), as CVAT users asked for: the wall clock of an open tab says
 * nothing about work. Whole seconds are
 * taken out for reports; the fraction stays for the next one, so many short stretches add up exactly.
 */
export interface ActivityMeter {
  /** The editor became active or stopped being active at `now` (ms); becoming active counts as input. */
  setActive(active: boolean, now: number): void;
  /** The user pressed a key, moved or pressed the pointer, or turned the wheel at `now` (ms). */
  input(now: number): void;
  /** Takes the whole seconds counted so far (up to `now`), as reports of at most MAX_REPORT_SECONDS. */
  take(now: number): number[];
}

export const createActivityMeter = (): ActivityMeter => {
  let since: number | null = null;
  let lastInput = Number.NEGATIVE_INFINITY;
  let ms = 0;
  const settle = (now: number) => {
    if (since !== null) {
      ms += Math.max(0, Math.min(now, lastInput + IDLE_AFTER_MS) - since);
      since = now;
    }
  };
  return {
    setActive: (active, now) => {
      settle(now);
      if (active && since === null) lastInput = now;
      since = active ? (since ?? now) : null;
    },
    input: (now) => {
      settle(now);
      lastInput = now;
    },
    take: (now) => {
      settle(now);
      let seconds = Math.floor(ms / 1000);
      ms -= seconds * 1000;
      const reports: number[] = [];
      while (seconds > 0) {
        const n = Math.min(seconds, MAX_REPORT_SECONDS);
        reports.push(n);
        seconds -= n;
      }
      return reports;
    },
  };
};
