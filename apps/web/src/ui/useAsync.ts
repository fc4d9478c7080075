import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";
import { toastError } from "./toast-store";

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again; the previous data stays visible meanwhile. */
  reload: () => void;
  /** Replaces the data locally after a successful mutation, without a round trip. */
  setData: (update: (prev: T | undefined) => T | undefined) => void;
}

/**
 * Loads data for a page; aborts the request when the inputs change or the page goes away, and
 * reports a failure as a toast (with `errorTitle`) as well as in `error` for an inline state.
 */
export const useAsync = <T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  errorTitle: string,
): AsyncState<T> => {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to reload
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    loadRef
      .current(controller.signal)
      .then((d) => {
        if (controller.signal.aborted) return;
        setDataState(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err);
        toastError(errorTitle, err);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((u: (prev: T | undefined) => T | undefined) => setDataState(u), []);
  return { data, error, loading, reload, setData };
};
