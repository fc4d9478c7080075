import type { Db } from "../../db/database.js";
import { throttleRepo } from "./throttle-repo.js";

/**
 * Failed-password throttling. Each attempt is counted *before* its password is checked, in one
 * database transaction, so that N guesses sent in parallel get no more real checks than one after
 * the other would (counting after the slow check let 51 of 60 parallel guesses through a limit of 5).
 * State lives in SQLite (migration 0009), not in one process's memory.
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

export const authThrottle = (db: Db, backoff = LOGIN_BACKOFF, budget = ADDRESS_BUDGET) => {
  const rows = throttleRepo(db);
  // A bucket untouched this long is full again: the same as no row (forgetBudgetsUntil).

  const tokensOf = (address: string, now: number) => {
    const row = rows.budgetOf(address);
    return row ? budgetAt(row.tokens, row.at, now, budget) : budget.capacity;
  };

  const reserve = db.transaction((key: ThrottleKey, address: string, now: number): Gate => {
    rows.forgetFailuresUntil(now - backoff.forgetMs);
    rows.forgetBudgetsUntil(now - budget.capacity * budget.refillMs);
    const row = rows.failuresOf(key.subject, key.client);
    const failures = row?.failures ?? 0;
    const next = row ? nextAttemptAt(failures, row.last_at, backoff) : now;
    if (now < next) return { ok: false, retryAfterS: seconds(next - now), why: "account" };
    const tokens = tokensOf(address, now);
    if (tokens < 1)
      return { ok: false, retryAfterS: seconds((1 - tokens) * budget.refillMs), why: "address" };
    rows.putFailures(key.subject, key.client, failures + 1, now);
    rows.putBudget(address, tokens - 1, now);
    return { ok: true };
  });

  const succeeded = db.transaction((key: ThrottleKey, address: string, now: number) => {
    rows.dropFailures(key.subject, key.client);
    rows.putBudget(address, Math.min(budget.capacity, tokensOf(address, now) + 1), now);
  });

  return {
    /**
     * Counts one attempt as failed unless it must wait; call it before checking the password.
     * IMMEDIATE takes the write lock at once, so another process cannot read the same count.
     */
    reserve: (key: ThrottleKey, address: string, now: number): Gate => reserve.immediate(key, address, now),
    /** The password was right: the key starts over and the address gets its attempt back. */
    succeeded: (key: ThrottleKey, address: string, now: number): void => {
      succeeded.immediate(key, address, now);
    },
  };
};
export type AuthThrottle = ReturnType<typeof authThrottle>;
