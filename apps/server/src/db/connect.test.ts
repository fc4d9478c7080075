import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { refusedPort } from "../test-support/ports.js";
import {
  type ScratchDatabase,
  SKIP_POSTGRES_REASON,
  scratchDatabase,
  TEST_DATABASE_URL,
} from "../test-support/postgres.js";
import { DatabaseStartError, type DbConnection, databaseFromEnv, openDb, redactUrl } from "./connect.js";
import { migrateDb } from "./migrate.js";

let dir: string;
const open: DbConnection[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-connect-"));
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
const track = <T extends DbConnection>(c: T): T => {
  open.push(c);
  return c;
};

describe("openDb on SQLite", () => {
  it("keeps the pragmas and runs Kysely over the same better-sqlite3 handle", async () => {
    const conn = track(await openDb(path.join(dir, "a", "x.sqlite")));
    expect(conn.dialect).toBe("sqlite");
    if (conn.dialect !== "sqlite") return;
    expect(conn.sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(conn.sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(conn.sqlite.pragma("busy_timeout", { simple: true })).toBe(5000);
    await migrateDb(conn);
    const now = new Date().toISOString();
    await conn.kysely
      .insertInto("projects")
      .values({ name: "p", created_at: now, updated_at: now })
      .execute();
    expect(conn.sqlite.prepare("SELECT name FROM projects").all()).toEqual([{ name: "p" }]);
  });

  it("serializes concurrent transactions: the second starts after the first commits", async () => {
    const conn = track(await openDb(path.join(dir, "x.sqlite")));
    await migrateDb(conn);
    const events: string[] = [];
    const now = new Date().toISOString();
    const work = (name: string) =>
      conn.kysely.transaction().execute(async (trx) => {
        events.push(`${name} begin`);
        const before = await trx
          .selectFrom("projects")
          .select((e) => e.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow();
        // Yield to the event loop between the read and the write: an interleaving would show here.
        await new Promise((r) => setTimeout(r, 20));
        await trx
          .insertInto("projects")
          .values({ name: `${name}${before.n}`, created_at: now, updated_at: now })
          .execute();
        events.push(`${name} end`);
      });
    await Promise.all([work("a"), work("b")]);
    expect(events).toEqual(["a begin", "a end", "b begin", "b end"]);
    const names = (await conn.kysely.selectFrom("projects").select("name").orderBy("id").execute()).map(
      (r) => r.name,
    );
    expect(names).toEqual(["a0", "b1"]);
  });

  it("prepares a query Kysely runs again only once", async () => {
    const conn = track(await openDb(path.join(dir, "x.sqlite")));
    if (conn.dialect !== "sqlite") return;
    await migrateDb(conn);
    const prepare = vi.spyOn(conn.sqlite, "prepare");
    const byId = (id: number) =>
      conn.kysely.selectFrom("projects").select("name").where("id", "=", id).execute();
    await byId(1);
    await byId(2);
    await byId(3);
    expect(prepare).toHaveBeenCalledTimes(1);
  });

  it("rolls a failed transaction back", async () => {
    const conn = track(await openDb(path.join(dir, "x.sqlite")));
    await migrateDb(conn);
    const now = new Date().toISOString();
    await expect(
      conn.kysely.transaction().execute(async (trx) => {
        await trx.insertInto("projects").values({ name: "gone", created_at: now, updated_at: now }).execute();
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await conn.kysely.selectFrom("projects").selectAll().execute()).toEqual([]);
  });

  it("names a file it cannot open", async () => {
    fs.writeFileSync(path.join(dir, "file"), "");
    await expect(openDb(path.join(dir, "file", "x.sqlite"))).rejects.toThrow(
      new RegExp(`cannot open the SQLite database ${path.join(dir, "file", "x.sqlite")}`),
    );
  });
});

describe("databaseFromEnv", () => {
  it("uses SQLite in the data folder unless a postgres URL is set", () => {
    expect(databaseFromEnv({}, "/data/x.sqlite")).toEqual({ target: "/data/x.sqlite", poolSize: 10 });
    expect(
      databaseFromEnv(
        { LABELBENCH_DATABASE_URL: "postgres://u:p@h/db", LABELBENCH_DATABASE_POOL: "4" },
        "/d",
      ),
    ).toEqual({ target: "postgres://u:p@h/db", poolSize: 4 });
  });
  it("refuses a URL of another kind and a bad pool size, without echoing the password", () => {
    const err = (() => {
      try {
        databaseFromEnv({ LABELBENCH_DATABASE_URL: "mysql://u:secret@h/db" }, "/d");
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(DatabaseStartError);
    expect(err?.message).toMatch(/must be a postgres:\/\/ .*mysql:\/\/u:\*\*\*@h\/db/);
    expect(err?.message).not.toContain("secret");
    expect(() => databaseFromEnv({ LABELBENCH_DATABASE_POOL: "0" }, "/d")).toThrow(
      /LABELBENCH_DATABASE_POOL/,
    );
  });
  it("refuses a malformed PostgreSQL URL without echoing its password", async () => {
    const err = await openDb("postgres://u:secret@host:notaport/db").catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(DatabaseStartError);
    expect((err as Error).message).toBe(
      'LABELBENCH_DATABASE_URL is not a valid URL: "postgres://u:***@host:notaport/db"',
    );
  });
  it("redacts passwords from URLs", () => {
    expect(redactUrl("postgres://me:s3cr%40t@db.example:5432/lb")).toBe(
      "postgres://me:***@db.example:5432/lb",
    );
    expect(redactUrl("postgres://db.example/lb")).toBe("postgres://db.example/lb");
  });
});

describe("openDb start errors (real failing connections)", () => {
  it("unreachable server: names the URL without its password", async () => {
    const url = `postgres://lb:hunter2@127.0.0.1:${await refusedPort()}/labelbench`;
    const err = await openDb(url).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(DatabaseStartError);
    expect((err as Error).message).toMatch(
      /cannot connect to PostgreSQL at postgres:\/\/lb:\*\*\*@127\.0\.0\.1:\d+\/labelbench: nothing is listening/,
    );
    expect((err as Error).message).not.toContain("hunter2");
  });

  it("a server that accepts but never answers: gives up after the connect timeout", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const { port } = silent.address() as net.AddressInfo;
    const err = await openDb(`postgres://lb:pw@127.0.0.1:${port}/x`, { connectTimeoutMs: 300 }).catch(
      (e: unknown) => e as Error,
    );
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
    expect((err as Error).message).toMatch(
      /cannot connect to PostgreSQL at postgres:\/\/lb:\*\*\*@127\.0\.0\.1:\d+\/x: no answer within 0\.3 s/,
    );
  });
});

describe.skipIf(!TEST_DATABASE_URL)("openDb on PostgreSQL", () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it("wrong password: says the credentials were refused, without the password", async () => {
    const url = new URL(scratch.url);
    url.password = "not-the-password";
    const err = await openDb(url.toString()).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(DatabaseStartError);
    expect((err as Error).message).toContain(
      `refused the credentials of user "${decodeURIComponent(url.username)}"`,
    );
    expect((err as Error).message).not.toContain("not-the-password");
  });

  it("missing database: names it", async () => {
    const url = new URL(scratch.url);
    url.pathname = "/no_such_labelbench_db";
    const err = await openDb(url.toString()).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(DatabaseStartError);
    expect((err as Error).message).toMatch(/has no database "no_such_labelbench_db"/);
  });

  it("reads bigint columns and counts as numbers, and refuses integers past 2^53", async () => {
    const conn = track(await openDb(scratch.url, { poolSize: 2 }));
    const row = await sql<{
      a: number;
      n: number;
      s: number;
    }>`SELECT 9007199254740991::bigint AS a, COUNT(*) AS n, SUM(x) AS s FROM (VALUES (1::bigint), (2::bigint)) t(x)`.execute(
      conn.kysely,
    );
    expect(row.rows).toEqual([{ a: 9007199254740991, n: 2, s: 3 }]);
    await expect(sql`SELECT 9007199254740993::bigint AS a`.execute(conn.kysely)).rejects.toThrow(
      /beyond what JavaScript represents exactly/,
    );
  });
});

describe.skipIf(TEST_DATABASE_URL)("openDb on PostgreSQL", () => {
  it.skip(SKIP_POSTGRES_REASON, () => {});
});
