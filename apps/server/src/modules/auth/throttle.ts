import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.js";
import { throttleRepo } from "./throttle-repo.js";

/**
 * Failed-password throttling. Each attempt is counted *before* its password is checked, by one
 * conditional upsert, so that N guesses sent in parallel get no more real checks than one after
 * the other would (counting after the slow check let 51 of 60 parallel guesses through a limit of 5).
 * State lives in the database (migration 0009), not in one process's memory, so every process
 * behind a load balancer counts into the same rows.
 */

/** Per account x client: a few free failures, then a wait that doubles with each further one. */
export interface BackoffPolicy {
  /** Failures allowed without any wait. */
  free: number;
  /** The wait after the `free`-th failure; each further failure doubles it. */
  baseMs: number;
  capMs: number;
  /** A key without a failure for this long starts over. */
  forgetMs: number;
}

/** Per client address: a token bucket of failed attempts, so a busy address slows down but is never shut out. */
export interface BudgetPolicy {
  capacity: number;
  /** One attempt comes back every `refillMs`. */
  refillMs: number;
}

export const LOGIN_BACKOFF: BackoffPolicy = {
  free: 5,
  baseMs: 10_000,
  capMs: 15 * 60_000,
  forgetMs: 24 * 3600_000,
};
export const ADDRESS_BUDGET: BudgetPolicy = { capacity: 100, refillMs: 10_000 };

/** When the next attempt may be made after `failures` counted failures, the latest at `lastAt`. */
export const nextAttemptAt = (failures: number, lastAt: number, p: BackoffPolicy): number =>
  failures < p.free ? lastAt : lastAt + Math.min(p.baseMs * 2 ** (failures - p.free), p.capMs);

/** Tokens in a bucket that held `tokens` at `at`, refilled up to `now`. */
export const budgetAt = (tokens: number, at: number, now: number, p: BudgetPolicy): number =>
  Math.min(p.capacity, tokens + Math.max(0, now - at) / p.refillMs);

/** What is being guessed (`login:<email>`, `password:<user id>`) and by whom (an address, or `*`). */
export interface ThrottleKey {
  subject: string;
  client: string;
}

export type Gate = { ok: true } | { ok: false; retryAfterS: number; why: "account" | "address" };

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** How often a process deletes rows the rules already treat as absent (housekeeping only). */
const SWEEP_EVERY_MS = 60_000;

/** Refusal of the address budget after the account's failure was counted: undoes that count. */
class AddressRefused extends Error {}

export const authThrottle = (db: Kysely<Database>, backoff = LOGIN_BACKOFF, budget = ADDRESS_BUDGET) => {
  let sweptAt = Number.NEGATIVE_INFINITY;
  const sweep = async (now: number) => {
    if (now - sweptAt < SWEEP_EVERY_MS && now >= sweptAt) return;
    sweptAt = now;
    const rows = throttleRepo(db);
    await rows.forgetFailuresUntil(now - backoff.forgetMs);
    // A bucket untouched this long is full again: the same as no row.
    await rows.forgetBudgetsUntil(now - budget.capacity * budget.refillMs);
  };

  const accountWait = async (key: ThrottleKey, now: number): Promise<Gate> => {
    const row = await throttleRepo(db).failuresOf(key.subject, key.client);
    const next = row ? nextAttemptAt(row.failures, row.last_at, backoff) : now;
    return { ok: false, retryAfterS: seconds(next - now), why: "account" };
  };
  const addressWait = async (address: string, now: number): Promise<Gate> => {
    const row = await throttleRepo(db).budgetOf(address);
    const tokens = row ? budgetAt(row.tokens, row.at, now, budget) : budget.capacity;
    return { ok: false, retryAfterS: seconds((1 - tokens) * budget.refillMs), why: "address" };
  };

  return {
    /**
     * Counts one attempt as failed unless it must wait; call it before checking the password.
     * Each count is one conditional upsert (throttle-repo.ts), atomic across processes; the
     * account's count and the address's token are taken in one transaction, so an attempt the
     * address budget refuses counts nothing.
     */
    reserve: async (key: ThrottleKey, address: string, now: number): Promise<Gate> => {
      await sweep(now);
      try {
        const counted = await db.transaction().execute(async (trx) => {
          const rows = throttleRepo(trx);
          if (!(await rows.countFailure(key.subject, key.client, now, backoff))) return false;
          if (!(await rows.spendToken(address, now, budget))) throw new AddressRefused();
          return true;
        });
        return counted ? { ok: true } : await accountWait(key, now);
      } catch (err) {
        if (err instanceof AddressRefused) return addressWait(address, now);
        throw err;
      }
    },
    /** The password was right: the key starts over and the address gets its attempt back. */
    succeeded: async (key: ThrottleKey, address: string, now: number): Promise<void> => {
      const rows = throttleRepo(db);
      await rows.dropFailures(key.subject, key.client);
      await rows.returnToken(address, now, budget);
    },
  };
};
export type AuthThrottle = ReturnType<typeof authThrottle>;
