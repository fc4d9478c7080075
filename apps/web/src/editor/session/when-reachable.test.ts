import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { createReachableRetry, isUnreachable } from "./when-reachable";

describe("isUnreachable", () => {
  it("is true for no answer and a proxy's 'down', false for the server's own refusals", () => {
    expect(isUnreachable(new ApiError(0, "NETWORK", "cannot reach the server"))).toBe(true);
    expect(isUnreachable(new ApiError(503, "INTERNAL", "bad gateway"))).toBe(true);
    expect(isUnreachable(new ApiError(404, "NOT_FOUND", "no image 9"))).toBe(false);
    expect(isUnreachable(new ApiError(500, "INTERNAL", "bug"))).toBe(false);
    expect(isUnreachable(new Error("cannot reach the server"))).toBe(false);
  });
});

describe("createReachableRetry", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const online = new EventTarget();
  const onOnline = (l: () => void) => {
    online.addEventListener("online", l);
    return () => online.removeEventListener("online", l);
  };
  const clock = {
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  const goOnline = () => online.dispatchEvent(new Event("online"));

  it("retries once at the browser's online event, or after a delay that grows per subject", () => {
    const retry = vi.fn();
    const r = createReachableRetry(clock, onOnline);
    r.wait(1, retry);
    goOnline();
    goOnline();
    expect(retry).toHaveBeenCalledTimes(1);
    // The caller tried again and failed again: now 4 s.
    r.wait(1, retry);
    vi.advanceTimersByTime(3999);
    expect(retry).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(retry).toHaveBeenCalledTimes(2);
    // Another image starts again at 2 s.
    r.wait(2, retry);
    vi.advanceTimersByTime(2000);
    expect(retry).toHaveBeenCalledTimes(3);
    // Cancelled: nothing fires.
    r.wait(2, retry);
    r.cancel();
    goOnline();
    vi.advanceTimersByTime(60_000);
    expect(retry).toHaveBeenCalledTimes(3);
  });
});
