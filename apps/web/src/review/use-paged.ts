import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";
import { messageOf, toastError } from "../ui/toast-store";

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedState<T, P extends Page<unknown>> {
  items: T[] | undefined;
  /** The latest page the server sent (its totals and counts). */
  last: P | undefined;
  /** More pages exist after the loaded ones. */
  more: boolean;
  loading: boolean;
  error: string | null;
  loadMore: () => void;
  reload: () => void;
}

/**
 * A keyset-paged list (review queue, my work, issues): the first page when `deps` change, the next
 * ones on demand. A new filter drops what was loaded and aborts what was in flight, so a late page
 * of the previous filter can never land in the new list.
 */
export const usePaged = <P extends Page<unknown>, T = P["items"][number]>(
  load: (cursor: string | undefined, signal: AbortSignal) => Promise<P>,
  deps: DependencyList,
  errorTitle: string,
): PagedState<T, P> => {
  const [items, setItems] = useState<T[] | undefined>(undefined);
  const [last, setLast] = useState<P | undefined>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const controller = useRef<AbortController | null>(null);

  const fetchPage = useCallback(
    (after: string | undefined, replace: boolean) => {
      controller.current?.abort();
      const c = new AbortController();
      controller.current = c;
      setLoading(true);
      loadRef
        .current(after, c.signal)
        .then((page) => {
          if (c.signal.aborted) return;
          const got = page.items as T[];
          setItems((prev) => (replace || !prev ? got : [...prev, ...got]));
          setCursor(page.nextCursor);
          setLast(page);
          setError(null);
        })
        .catch((err: unknown) => {
          if (c.signal.aborted) return;
          setError(messageOf(err));
          toastError(errorTitle, err);
        })
        .finally(() => {
          if (!c.signal.aborted) setLoading(false);
        });
    },
    [errorTitle],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to start over
  useEffect(() => {
    setItems(undefined);
    setLast(undefined);
    setCursor(null);
    fetchPage(undefined, true);
    return () => controller.current?.abort();
  }, [...deps, tick]);

  return {
    items,
    last,
    more: cursor !== null,
    loading,
    error,
    loadMore: () => {
      if (cursor !== null && !loading) fetchPage(cursor, false);
    },
    reload: () => setTick((t) => t + 1),
  };
};
