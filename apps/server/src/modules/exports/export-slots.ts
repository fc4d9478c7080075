import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { AppError } from "../../http/errors.js";
import { renewExportLease, setExportLease, tryLockExportSlot } from "./export-slots-repo.js";

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

/**
 * Where the running exports are counted. `take` gives a release function when a slot is free now,
 * else null. In one process (SQLite) a counter; on PostgreSQL advisory locks every process shares
 * (`pgSlotLeases`), so the limit holds across the processes behind one load balancer.
 */
export interface SlotLeases {
  take(): Promise<(() => void) | null>;
  /** Whether a slot can free without this process releasing one (another process's): then waiters poll. */
  readonly shared: boolean;
}

/** The slots of one process: a counter. */
export const localSlotLeases = (limit: number): SlotLeases => {
  let running = 0;
  return {
    shared: false,
    take: async () => {
      if (running >= limit) return null;
      running++;
      return () => {
        running--;
      };
    },
  };
};

/**
 * How long a slot outlives a process that stops renewing it (frozen, or its machine gone without
 * closing the connection). A process that dies outright frees its slots at once: its connections
 * close, and their transactions with them.
 */
export const EXPORT_LEASE_MS = 30_000;

/**
 * Slots every process on one PostgreSQL database shares: a held slot is an open transaction (one
 * pooled connection per running export) holding slot n's advisory lock, renewed every third of
 * the lease; see export-slots-repo.ts.
 */
export const pgSlotLeases = (
  db: Kysely<Database>,
  limit: number,
  opts: { leaseMs?: number; onLost?: (err: unknown) => void } = {},
): SlotLeases => {
  const leaseMs = opts.leaseMs ?? EXPORT_LEASE_MS;
  return {
    shared: true,
    take: () =>
      new Promise((resolve, reject) => {
        let taken = false;
        db.transaction()
          .execute(async (trx) => {
            let slot = -1;
            for (let n = 0; n < limit && slot < 0; n++) if (await tryLockExportSlot(trx, n)) slot = n;
            if (slot < 0) return;
            await setExportLease(trx, leaseMs);
            // Held until released: the transaction ends (and the lock with it) when this resolves.
            await new Promise<void>((release, lost) => {
              const beat = setInterval(
                () =>
                  renewExportLease(trx).catch((err: unknown) => {
                    clearInterval(beat);
                    lost(err);
                  }),
                Math.max(50, leaseMs / 3),
              );
              beat.unref();
              taken = true;
              resolve(() => {
                clearInterval(beat);
                release();
              });
            });
          })
          .then(
            () => {
              if (!taken) resolve(null);
            },
            (err: unknown) => {
              if (taken) opts.onLost?.(err);
              else reject(err);
            },
          );
      }),
  };
};

/** How often the first in line tries again when other processes hold the slots. */
const SHARED_POLL_MS = 500;

interface Waiter {
  grant: (release: () => void) => void;
  refuse: (err: Error) => void;
  gone: boolean;
}

export class Slots {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private pumping = false;
  /** A slot freed while the line was being served: serve it again before stopping. */
  private again = false;
  private poll: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: SlotLimits = EXPORT_SLOTS,
    private readonly leases: SlotLeases = localSlotLeases(limits.running),
    private readonly pollMs = SHARED_POLL_MS,
  ) {}

  /** Slots this process holds. */
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
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.waiting.length === 0) {
      const lease = await this.leases.take();
      if (lease) return this.held(lease);
    }
    if (this.waiting.length >= this.limits.maxWaiting) {
      throw busy(`${this.running} exports are running and ${this.waiting.length} are waiting`);
    }
    return new Promise((resolve, reject) => {
      const leave = () => {
        waiter.gone = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        if (this.waiting.length === 0 && this.poll) {
          clearInterval(this.poll);
          this.poll = null;
        }
      };
      const waiter: Waiter = {
        gone: false,
        grant: (release) => {
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
      // The client may have left while the first attempt was under way.
      if (signal?.aborted) {
        clearTimeout(timer);
        reject(new Error("the client left while waiting for an export slot"));
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
      // Another process's slot frees without a word to this one: the line asks again now and then.
      if (this.leases.shared && !this.poll) {
        this.poll = setInterval(() => void this.pump(), this.pollMs);
        this.poll.unref();
      }
      void this.pump();
    });
  }

  /** Counts a taken lease; its release (once) frees it and lets the first in line try. */
  private held(lease: () => void): () => void {
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      lease();
      void this.pump();
    };
  }

  /** Gives free slots to the line, first come first served; one attempt at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      for (;;) {
        this.again = false;
        const first = this.waiting[0];
        if (!first) return;
        const lease = await this.leases.take().catch(() => null);
        if (!lease) {
          if (this.again) continue;
          return;
        }
        if (first.gone) {
          // It left (hung up, timed out) while the slot was being taken: the slot goes back.
          lease();
          continue;
        }
        first.grant(this.held(lease));
      }
    } finally {
      this.pumping = false;
    }
  }
}

const busy = (why: string) =>
  new AppError("BUSY", `the server is busy exporting (${why}); try again in ${RETRY_AFTER_S} s`, {
    retryAfterSeconds: RETRY_AFTER_S,
  });
