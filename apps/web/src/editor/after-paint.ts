import { useEffect, useState } from "react";
import type { StoreApi } from "zustand/vanilla";

/**
 * A store value that reaches the component one frame after it changed: the canvas shows a change
 * (a selection, an edit) in the very next frame, and panels that are expensive to lay out (the shape
 * list: dozens of rows with icons) follow in the frame after, instead of doubling the work of the frame
 * that answers the click.
 */
export const useAfterPaint = <S, T>(store: StoreApi<S>, selector: (s: S) => T): T => {
  const [value, setValue] = useState(() => selector(store.getState()));
  // biome-ignore lint/correctness/useExhaustiveDependencies: the selector is read once per store.
  useEffect(() => {
    let last = selector(store.getState());
    setValue(() => last);
    let raf = 0;
    let timer = 0;
    const unsubscribe = store.subscribe((s) => {
      const next = selector(s);
      if (next === last) return;
      last = next;
      cancelAnimationFrame(raf);
      window.clearTimeout(timer);
      raf = requestAnimationFrame(() => {
        timer = window.setTimeout(() => setValue(() => last));
      });
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(raf);
      window.clearTimeout(timer);
    };
  }, [store]);
  return value;
};
