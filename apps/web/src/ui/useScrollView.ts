import { type RefObject, type UIEvent, useCallback, useLayoutEffect, useState } from "react";

/**
 * The scrolled window of a windowed list: the scroll offset and height of `ref`'s element, measured
 * at mount, on each resize and on each scroll, so a list renders only the rows in view. `height` is
 * the guess used before the first measure. The caller owns the ref (it also scrolls rows into view).
 */
export const useScrollView = <E extends HTMLElement>(ref: RefObject<E | null>, height: number) => {
  const [view, setView] = useState({ top: 0, height });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  const onScroll = useCallback(
    (e: UIEvent<E>) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight }),
    [],
  );
  return { view, onScroll };
};
