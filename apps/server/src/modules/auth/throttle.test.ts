import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/schema.js";
import { openTestDatabase, TEST_BACKEND, type TestDatabase } from "../../test-support/app.js";
import { authThrottle, type BackoffPolicy, budgetAt, LOGIN_BACKOFF, nextAttemptAt } from "./throttle.js";

const policy: BackoffPolicy = { free: 3, baseMs: 1000, capMs: 5000, forgetMs: 60_000 };

describe("nextAttemptAt", () => {
  it("lets the free failures through at once, then doubles the wait up to the cap", () => {
    expect([0, 1, 2].map((f) => nextAttemptAt(f, 100, policy))).toEqual([100, 100, 100]);
    expect([3, 4, 5, 6, 40].map((f) => nextAttemptAt(f, 100, policy))).toEqual([
      1100, 2100, 4100, 5100, 5100,
    ]);
  });

  it("sign-in: five free failures, then 10 s, 20 s, ... never more than 15 minutes", () => {
    expect(nextAttemptAt(4, 0, LOGIN_BACKOFF)).toBe(0);
    expect(nextAttemptAt(5, 0, LOGIN_BACKOFF)).toBe(10_000);
    expect(nextAttemptAt(6, 0, LOGIN_BACKOFF)).toBe(20_000);
    expect(nextAttemptAt(1000, 0, LOGIN_BACKOFF)).toBe(15 * 60_000);
  });
});

describe("budgetAt", () => {
  it("refills one attempt per interval, never above the capacity", () => {
    const p = { capacity: 10, refillMs: 1000 };
    expect(budgetAt(0, 0, 2500, p)).toBe(2.5);
    expect(budgetAt(9, 0, 60_000, p)).toBe(10);
    // A clock that steps back takes nothing away.
    expect(budgetAt(4, 5000, 1000, p)).toBe(4);
  });
});

describe(`authThrottle over ${TEST_BACKEND}`, () => {
  let dir: string;
  let database: TestDatabase;
  let db: Kysely<Database>;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-throttle-"));
    database = await openTestDatabase(dir);
    db = database.sql;
  });
  afterEach(async () => {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("counts each attempt when it is reserved, so back-to-back reservations stop at the free ones", async () => {
    const t = authThrottle(db, policy);
    const key = { subject: "login:a@example.com", client: "10.0.0.1" };
    const gates = [];
    for (let i = 0; i < 10; i++) gates.push(await t.reserve(key, "10.0.0.1", 0));
    expect(gates.filter((g) => g.ok)).toHaveLength(3);
    expect(gates[3]).toEqual({ ok: false, retryAfterS: 1, why: "account" });
  });

  it("a success starts the key over; a long quiet spell forgets it", async () => {
    const t = authThrottle(db, policy);
    const key = { subject: "login:a@example.com", client: "10.0.0.1" };
    for (let i = 0; i < 3; i++) await t.reserve(key, "10.0.0.1", 0);
    expect((await t.reserve(key, "10.0.0.1", 0)).ok).toBe(false);
    await t.succeeded(key, "10.0.0.1", 0);
    expect((await t.reserve(key, "10.0.0.1", 0)).ok).toBe(true);
    for (let i = 0; i < 2; i++) await t.reserve(key, "10.0.0.1", 0);
    expect((await t.reserve(key, "10.0.0.1", 0)).ok).toBe(false);
    expect((await t.reserve(key, "10.0.0.1", policy.forgetMs)).ok).toBe(true);
  });

  it("an address that spends its budget slows down to the refill rate instead of being shut out", async () => {
    const t = authThrottle(db, policy, { capacity: 4, refillMs: 2000 });
    const address = "198.51.100.1";
    for (let i = 0; i < 4; i++)
      expect((await t.reserve({ subject: `login:u${i}`, client: address }, address, 0)).ok).toBe(true);
    // Another account from the same address waits for the next refill (seconds), not a lockout.
    expect(await t.reserve({ subject: "login:u9", client: address }, address, 0)).toEqual({
      ok: false,
      retryAfterS: 2,
      why: "address",
    });
    // A refused attempt spends nothing: the refill arrives on time.
    expect((await t.reserve({ subject: "login:u9", client: address }, address, 2000)).ok).toBe(true);
    expect((await t.reserve({ subject: "login:u9", client: address }, address, 2000)).ok).toBe(false);
    // Other addresses have budgets of their own.
    expect((await t.reserve({ subject: "login:u9", client: "198.51.100.2" }, "198.51.100.2", 0)).ok).toBe(
      true,
    );
  });

  it("a success gives the address its attempt back", async () => {
    const t = authThrottle(db, policy, { capacity: 2, refillMs: 60_000 });
    const key = { subject: "login:a@example.com", client: "10.0.0.1" };
    expect((await t.reserve(key, "10.0.0.1", 0)).ok).toBe(true);
    expect((await t.reserve(key, "10.0.0.1", 0)).ok).toBe(true);
    await t.succeeded(key, "10.0.0.1", 0);
    expect((await t.reserve({ subject: "login:b@example.com", client: "10.0.0.1" }, "10.0.0.1", 0)).ok).toBe(
      true,
    );
    expect((await t.reserve({ subject: "login:c@example.com", client: "10.0.0.1" }, "10.0.0.1", 0)).ok).toBe(
      false,
    );
  });
});
