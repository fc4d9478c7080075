import type { Db } from "../../db/database.js";

/** The rows the sign-in throttle keeps (throttle.ts says the rules). */
export const throttleRepo = (db: Db) => {
  const failuresOf = db.prepare<[string, string], { failures: number; last_at: number }>(
    "SELECT failures, last_at FROM auth_failures WHERE subject = ? AND client = ?",
  );
  const putFailures = db.prepare<[string, string, number, number]>(
    `INSERT INTO auth_failures (subject, client, failures, last_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (subject, client) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at`,
  );
  const dropFailures = db.prepare<[string, string]>(
    "DELETE FROM auth_failures WHERE subject = ? AND client = ?",
  );
  const forgetFailures = db.prepare<[number]>("DELETE FROM auth_failures WHERE last_at <= ?");
  const budgetOf = db.prepare<[string], { tokens: number; at: number }>(
    "SELECT tokens, at FROM auth_address_budget WHERE address = ?",
  );
  const putBudget = db.prepare<[string, number, number]>(
    `INSERT INTO auth_address_budget (address, tokens, at) VALUES (?, ?, ?)
     ON CONFLICT (address) DO UPDATE SET tokens = excluded.tokens, at = excluded.at`,
  );
  const forgetBudgets = db.prepare<[number]>("DELETE FROM auth_address_budget WHERE at <= ?");
  return {
    failuresOf: (subject: string, client: string) => failuresOf.get(subject, client),
    putFailures: (subject: string, client: string, failures: number, at: number) =>
      putFailures.run(subject, client, failures, at),
    dropFailures: (subject: string, client: string) => dropFailures.run(subject, client),
    forgetFailuresUntil: (at: number) => forgetFailures.run(at),
    budgetOf: (address: string) => budgetOf.get(address),
    putBudget: (address: string, tokens: number, at: number) => putBudget.run(address, tokens, at),
    forgetBudgetsUntil: (at: number) => forgetBudgets.run(at),
  };
};
