// @vitest-environment jsdom
import { act, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createStore } from "zustand/vanilla";
import { useReadout } from "./use-readout";

describe("useReadout", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("renders at most once per interval while the value changes, and always ends on the last value", () => {
    const store = createStore<{ x: number; other: number }>(() => ({ x: 0, other: 0 }));
    let renders = 0;
    function Readout() {
      renders++;
      const x = useReadout(store, (s) => s.x, 100);
      return <span data-testid="x">{x}</span>;
    }
    const view = render(<Readout />);
    const start = renders;
    // One value per frame for about a second; each frame is its own act so React renders as it would.
    for (let i = 1; i <= 60; i++) {
      act(() => {
        store.setState({ x: i });
        vi.advanceTimersByTime(16);
      });
    }
    act(() => vi.advanceTimersByTime(200));
    expect(view.getByTestId("x").textContent).toBe("60");
    // ~960 ms of changes at 100 ms apiece: about 10 renders, not 60.
    expect(renders - start).toBeLessThanOrEqual(12);
    expect(renders - start).toBeGreaterThanOrEqual(5);

    const before = renders;
    act(() => store.setState({ other: 1 })); // a change elsewhere in the store renders nothing
    act(() => vi.advanceTimersByTime(200));
    expect(renders).toBe(before);
  });
});
