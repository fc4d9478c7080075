import { useEffect, useRef, useState } from "react";
import type { StoreApi } from "zustand";

/** How often a live readout (cursor position, zoom %) may re-render while a gesture runs. */
export const READOUT_INTERVAL_MS = 100;

/**
 * A store value for text the user reads, not for drawing: at most one React render per
 * `intervalMs` while it changes, and always the final value. A readout that re-renders every frame
 * costs the frame a layout and two paints (2.5-4 ms measured during drags and zooms), for digits
 * nobody can read at 60 Hz.
 */
export const useReadout = <S, T>(
  store: StoreApi<S>,
  select: (s: S) => T,
  intervalMs = READOUT_INTERVAL_MS,
): T => {
  const selectRef = useRef(select);
  selectRef.current = select;
  const [value, setValue] = useState(() => select(store.getState()));
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      last = performance.now();
      setValue(() => selectRef.current(store.getState()));
    };
    // The value may have moved between the first render and this subscription.
    flush();
    const stop = store.subscribe((s, prev) => {
      if (Object.is(selectRef.current(s), selectRef.current(prev))) return;
      if (timer !== null) return;
      const wait = intervalMs - (performance.now() - last);
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    });
    return () => {
      stop();
      if (timer !== null) clearTimeout(timer);
    };
  }, [store, intervalMs]);
  return value;
};
