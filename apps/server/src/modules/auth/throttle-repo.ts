import { type RawBuilder, sql } from "kysely";
import type { Executor } from "../../db/executor.js";

/** The numbers of the backoff rule (throttle.ts BackoffPolicy), as the upsert needs them. */
export interface BackoffNumbers {
  free: number;
  baseMs: number;
  capMs: number;
  forgetMs: number;
}
/** The numbers of the address budget (throttle.ts BudgetPolicy). */
export interface BudgetNumbers {
  capacity: number;
  refillMs: number;
}

/** An integer policy constant as a literal, so PostgreSQL never has to guess a parameter's type. */
const lit = (n: number): RawBuilder<number> => {
  if (!Number.isSafeInteger(n)) throw new Error(`throttle policy numbers are whole milliseconds, got ${n}`);
  return sql.lit(n);
};

/**
 * The wait after `failures` failures, `min(baseMs * 2^(failures - free), capMs)`, as a CASE over the
 * few doublings below the cap: neither dialect's power function is available on both.
 */
const waitAfter = (p: BackoffNumbers): RawBuilder<number> => {
  const steps: RawBuilder<unknown>[] = [];
  for (let k = 0; p.baseMs * 2 ** k < p.capMs; k++)
    steps.push(sql`WHEN ${lit(k)} THEN ${lit(p.baseMs * 2 ** k)}`);
  return steps.length === 0
    ? lit(p.capMs)
    : sql`(CASE auth_failures.failures - ${lit(p.free)} ${sql.join(steps, sql` `)} ELSE ${lit(p.capMs)} END)`;
};

/** A bucket's tokens refilled up to the attempt's time (`excluded.at`), never above the capacity. */
const refilled = (p: BudgetNumbers): RawBuilder<number> => {
  const grown = sql`auth_address_budget.tokens + (excluded.at - auth_address_budget.at) / CAST(${lit(p.refillMs)} AS DOUBLE PRECISION)`;
  return sql`(CASE WHEN excluded.at <= auth_address_budget.at THEN auth_address_budget.tokens
    WHEN ${grown} >= ${lit(p.capacity)} THEN ${lit(p.capacity)} ELSE ${grown} END)`;
};

/**
 * The rows the sign-in throttle keeps (throttle.ts says the rules). Each decision is one
 * `INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING`: the row is counted only if the rule
 * allows it, in the same statement that reads it, so two processes (or two requests) can never
 * both see the same count.
 */
export const throttleRepo = (db: Executor) => ({
  /**
   * Counts one failure for the key at `now` unless the key must still wait; true when counted.
   * A row quiet for `forgetMs` starts over, the same as no row.
   */
  countFailure: async (subject: string, client: string, now: number, p: BackoffNumbers): Promise<boolean> => {
    const stale = sql<boolean>`auth_failures.last_at <= excluded.last_at - ${lit(p.forgetMs)}`;
    const row = await db
      .insertInto("auth_failures")
      .values({ subject, client, failures: 1, last_at: now })
      .onConflict((oc) =>
        oc
          .columns(["subject", "client"])
          .doUpdateSet({
            failures: sql<number>`CASE WHEN ${stale} THEN 1 ELSE auth_failures.failures + 1 END`,
            last_at: sql<number>`excluded.last_at`,
          })
          .where(
            sql<boolean>`auth_failures.failures < ${lit(p.free)} OR ${stale}
              OR excluded.last_at >= auth_failures.last_at + ${waitAfter(p)}`,
          ),
      )
      .returning("failures")
      .executeTakeFirst();
    return row !== undefined;
  },
  failuresOf: (subject: string, client: string) =>
    db
      .selectFrom("auth_failures")
      .select(["failures", "last_at"])
      .where("subject", "=", subject)
      .where("client", "=", client)
      .executeTakeFirst(),
  dropFailures: async (subject: string, client: string): Promise<void> => {
    await db
      .deleteFrom("auth_failures")
      .where("subject", "=", subject)
      .where("client", "=", client)
      .execute();
  },
  forgetFailuresUntil: async (at: number): Promise<void> => {
    await db.deleteFrom("auth_failures").where("last_at", "<=", at).execute();
  },

  /** Takes one token from the address's bucket at `now` if it holds one; true when taken. */
  spendToken: async (address: string, now: number, p: BudgetNumbers): Promise<boolean> => {
    const row = await db
      .insertInto("auth_address_budget")
      .values({ address, tokens: p.capacity - 1, at: now })
      .onConflict((oc) =>
        oc
          .column("address")
          .doUpdateSet({ tokens: sql<number>`${refilled(p)} - 1`, at: sql<number>`excluded.at` })
          .where(sql<boolean>`${refilled(p)} >= 1`),
      )
      .returning("tokens")
      .executeTakeFirst();
    return row !== undefined;
  },
  /** Gives the address one token back (a right password), up to the capacity. */
  returnToken: async (address: string, now: number, p: BudgetNumbers): Promise<void> => {
    await db
      .insertInto("auth_address_budget")
      .values({ address, tokens: p.capacity, at: now })
      .onConflict((oc) =>
        oc.column("address").doUpdateSet({
          tokens: sql<number>`CASE WHEN ${refilled(p)} + 1 >= ${lit(p.capacity)} THEN ${lit(p.capacity)}
            ELSE ${refilled(p)} + 1 END`,
          at: sql<number>`excluded.at`,
        }),
      )
      .execute();
  },
  budgetOf: (address: string) =>
    db
      .selectFrom("auth_address_budget")
      .select(["tokens", "at"])
      .where("address", "=", address)
      .executeTakeFirst(),
  forgetBudgetsUntil: async (at: number): Promise<void> => {
    await db.deleteFrom("auth_address_budget").where("at", "<=", at).execute();
  },
});
