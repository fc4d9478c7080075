// @vitest-environment jsdom
import { act, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { isUnreachable, useRetryWhenReachable } from "./when-reachable";

describe("isUnreachable", () => {
  it("is true for no answer and a proxy's 'down', false for the server's own refusals", () => {
    expect(isUnreachable(new ApiError(0, "NETWORK", "cannot reach the server"))).toBe(true);
    expect(isUnreachable(new ApiError(503, "INTERNAL", "bad gateway"))).toBe(true);
    expect(isUnreachable(new ApiError(404, "NOT_FOUND", "no image 9"))).toBe(false);
    expect(isUnreachable(new ApiError(500, "INTERNAL", "bug"))).toBe(false);
    expect(isUnreachable(new Error("cannot reach the server"))).toBe(false);
  });
});

describe("useRetryWhenReachable", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function Probe({ waiting, subject, retry }: { waiting: boolean; subject: number; retry: () => void }) {
    useRetryWhenReachable(waiting, subject, retry);
    return null;
  }

  it("retries once at the browser's online event, or after a delay that grows per subject", () => {
    const retry = vi.fn();
    const view = render(<Probe waiting subject={1} retry={retry} />);
    act(() => window.dispatchEvent(new Event("online")));
    act(() => window.dispatchEvent(new Event("online")));
    expect(retry).toHaveBeenCalledTimes(1);
    // The caller tries again (not waiting), fails again (waiting): now 4 s.
    view.rerender(<Probe waiting={false} subject={1} retry={retry} />);
    view.rerender(<Probe waiting subject={1} retry={retry} />);
    act(() => vi.advanceTimersByTime(3999));
    expect(retry).toHaveBeenCalledTimes(1);
    act(() => vi.advanceTimersByTime(1));
    expect(retry).toHaveBeenCalledTimes(2);
    // Another image starts again at 2 s.
    view.rerender(<Probe waiting={false} subject={2} retry={retry} />);
    view.rerender(<Probe waiting subject={2} retry={retry} />);
    act(() => vi.advanceTimersByTime(2000));
    expect(retry).toHaveBeenCalledTimes(3);
    // Not waiting: nothing fires.
    view.rerender(<Probe waiting={false} subject={2} retry={retry} />);
    act(() => {
      window.dispatchEvent(new Event("online"));
      vi.advanceTimersByTime(60_000);
    });
    expect(retry).toHaveBeenCalledTimes(3);
  });
});
