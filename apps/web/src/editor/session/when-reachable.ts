import { useEffect, useRef } from "react";
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

/**
 * While `waiting`, calls `retry` once the connection seems to be back: at the browser's `online`
 * event, or after a delay that grows with each failed try for the same `subject` (e.g. the image id).
 * The caller clears `waiting` when it tries again and sets it anew if that fails too.
 */
export const useRetryWhenReachable = (waiting: boolean, subject: unknown, retry: () => void): void => {
  const retryRef = useRef(retry);
  retryRef.current = retry;
  const tries = useRef({ subject, count: 0 });
  useEffect(() => {
    if (!waiting) return;
    if (tries.current.subject !== subject) tries.current = { subject, count: 0 };
    const delay = RETRY_DELAYS_MS[Math.min(tries.current.count, RETRY_DELAYS_MS.length - 1)]!;
    tries.current.count += 1;
    let done = false;
    const fire = () => {
      if (done) return;
      done = true;
      retryRef.current();
    };
    const timer = window.setTimeout(fire, delay);
    window.addEventListener("online", fire);
    return () => {
      done = true;
      window.clearTimeout(timer);
      window.removeEventListener("online", fire);
    };
  }, [waiting, subject]);
};
