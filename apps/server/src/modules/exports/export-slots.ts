import { AppError } from "../../http/errors.js";

/**
 * How many exports run at once. Each export worker holds its own V8 heap (~60-100 MB at 100k
 * images) and a core: a third export would push the process past its memory budget and slow the
 * others down. A request that finds every slot taken waits in line (a user who clicks "Export"
 * expects a download that starts a little later, not an error), up to `maxWaiting` requests for
 * up to `maxWaitMs`; past either it answers 503 `BUSY` with `Retry-After`.
 */
export interface SlotLimits {
  running: number;
  maxWaiting: number;
  maxWaitMs: number;
}

export const EXPORT_SLOTS: SlotLimits = { running: 2, maxWaiting: 8, maxWaitMs: 60_000 };

/** Seconds a refused client is told to wait before trying again. */
export const RETRY_AFTER_S = 30;

interface Waiter {
  grant: () => void;
  refuse: (err: Error) => void;
}

export class Slots {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: SlotLimits = EXPORT_SLOTS) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with a release function once a slot is free. `signal` (the client hanging up) leaves
   * the line without taking a slot.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const release = this.releaser();
    if (this.running < this.limits.running) {
      this.running++;
      return Promise.resolve(release);
    }
    if (this.waiting.length >= this.limits.maxWaiting) {
      return Promise.reject(
        busy(`${this.running} exports are running and ${this.waiting.length} are waiting`),
      );
    }
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve(release);
        },
        refuse: (err) => {
          leave();
          reject(err);
        },
      };
      const timer = setTimeout(
        () => waiter.refuse(busy(`no export slot became free within ${this.limits.maxWaitMs / 1000} s`)),
        this.limits.maxWaitMs,
      );
      const onAbort = () => waiter.refuse(new Error("the client left while waiting for an export slot"));
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Hands the slot to the first in line, or frees it; a second call does nothing. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting[0];
      if (next) next.grant();
      else this.running--;
    };
  }
}

const busy = (why: string) =>
  new AppError("BUSY", `the server is busy exporting (${why}); try again in ${RETRY_AFTER_S} s`, {
    retryAfterSeconds: RETRY_AFTER_S,
  });
