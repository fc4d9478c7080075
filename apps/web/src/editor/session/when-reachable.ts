import { ApiError } from "../../api/client";

/**
 * The server could not be reached (no answer, or a proxy in front of it saying it is down or
 * restarting: 502/503/504), as opposed to an answer saying no.
 */
export const isUnreachable = (err: unknown): boolean =>
  err instanceof ApiError &&
  (err.code === "NETWORK" || err.status === 0 || (err.status >= 502 && err.status <= 504));

/** Waits between tries while no `online` event comes (a server that was down says nothing). */
export const RETRY_DELAYS_MS = [2000, 4000, 8000, 15_000] as const;

export interface ReachableRetry {
  /**
   * Calls `retry` once the connection seems to be back: at the browser's `online` event, or after a
   * delay that grows with each failed try for the same `subject` (e.g. the image id). Replaces any wait
   * under way; the caller waits anew if the retry fails too.
   */
  wait(subject: unknown, retry: () => void): void;
  /** Drops the wait under way (the caller tries again itself, or stops). */
  cancel(): void;
}

export const createReachableRetry = (
  clock: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void },
  onOnline: (listener: () => void) => () => void,
): ReachableRetry => {
  let tries: { subject: unknown; count: number } = { subject: undefined, count: 0 };
  let stop: (() => void) | null = null;
  const cancel = () => stop?.();
  return {
    wait: (subject, retry) => {
      cancel();
      if (tries.subject !== subject) tries = { subject, count: 0 };
      const delay = RETRY_DELAYS_MS[Math.min(tries.count, RETRY_DELAYS_MS.length - 1)]!;
      tries.count += 1;
      const fire = () => {
        cancel();
        retry();
      };
      const timer = clock.setTimeout(fire, delay);
      const unsubscribe = onOnline(fire);
      const own = () => {
        clock.clearTimeout(timer);
        unsubscribe();
        if (stop === own) stop = null;
      };
      stop = own;
    },
    cancel,
  };
};
