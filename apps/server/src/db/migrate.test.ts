import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ScratchDatabase,
  SKIP_POSTGRES_REASON,
  scratchDatabase,
  TEST_DATABASE_URL,
} from "../test-support/postgres.js";
import { DatabaseStartError, type DbConnection, type Dialect, openDb } from "./connect.js";
import { loadMigrations, migrationsDir } from "./database.js";
import { migrateDb, startDb } from "./migrate.js";

/** Each case runs on both dialects; PostgreSQL ones on a database of their own. */
const dialects: Dialect[] = TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];
if (!TEST_DATABASE_URL) console.warn(SKIP_POSTGRES_REASON);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A fresh, empty database of the dialect: its URL or file. */
const freshTarget = async (dialect: Dialect): Promise<string> => {
  if (dialect === "postgres") {
    const scratch: ScratchDatabase = await scratchDatabase();
    cleanups.push(scratch.drop);
    return scratch.url;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-migrate-"));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "db.sqlite");
};
const connect = async (target: string): Promise<DbConnection> => {
  const conn = await openDb(target, { poolSize: 3 });
  cleanups.push(conn.close);
  return conn;
};
const tableNames = async (conn: DbConnection): Promise<string[]> =>
  (await conn.kysely.introspection.getTables()).map((t) => t.name).sort();
const recorded = async (conn: DbConnection) =>
  conn.kysely.selectFrom("schema_migrations").select(["version", "name"]).orderBy("version").execute();

describe.each(dialects)("migrateDb on %s", (dialect) => {
  it("the two dialects have the same migration numbers and names", () => {
    const names = (d: Dialect) => loadMigrations(migrationsDir(d)).map((m) => m.name);
    expect(names("postgres")).toEqual(names("sqlite"));
  });

  it("builds the whole schema, then applies nothing on a second run or a restart", async () => {
    const target = await freshTarget(dialect);
    const all = loadMigrations(migrationsDir(dialect));
    const conn = await connect(target);
    expect(await migrateDb(conn)).toEqual(all.map((m) => m.version));
    expect(await recorded(conn)).toEqual(all.map((m) => ({ version: m.version, name: m.name })));
    expect(await tableNames(conn)).toEqual(
      expect.arrayContaining(["images", "annotations", "schema_migrations"]),
    );
    expect(await migrateDb(conn)).toEqual([]);
    await conn.close();
    const again = await connect(target);
    expect(await migrateDb(again)).toEqual([]);
  });

  it("applies only what is pending on a database migrated by an older version", async () => {
    const conn = await connect(await freshTarget(dialect));
    const all = loadMigrations(migrationsDir(dialect));
    expect(await migrateDb(conn, all.slice(0, 3))).toEqual([1, 2, 3]);
    expect(await migrateDb(conn, all)).toEqual(all.slice(3).map((m) => m.version));
  });

  it("0012 adds the reviewer role and keeps every row that points at a user", async () => {
    const conn = await connect(await freshTarget(dialect));
    const all = loadMigrations(migrationsDir(dialect));
    await migrateDb(
      conn,
      all.filter((m) => m.version < 12),
    );
    const at = "2026-01-01T00:00:00.000Z";
    const user = {
      email: "a@example.com",
      name: "A",
      role: "annotator",
      password_hash: "x",
      created_at: at,
      updated_at: at,
    };
    const userId = (
      await conn.kysely.insertInto("users").values(user).returning("id").executeTakeFirstOrThrow()
    ).id;
    const projectId = (
      await conn.kysely
        .insertInto("projects")
        .values({ name: "p", created_at: at, updated_at: at })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    await conn.kysely
      .insertInto("sessions")
      .values({ id_hash: "h", user_id: userId, created_at: at, expires_at: at })
      .execute();
    await conn.kysely
      .insertInto("project_members")
      .values({ project_id: projectId, user_id: userId, added_at: at })
      .execute();
    expect(await migrateDb(conn, all)).toEqual(all.filter((m) => m.version >= 12).map((m) => m.version));
    expect(await conn.kysely.selectFrom("sessions").select("user_id").execute()).toEqual([
      { user_id: userId },
    ]);
    expect(await conn.kysely.selectFrom("project_members").select("user_id").execute()).toEqual([
      { user_id: userId },
    ]);
    await conn.kysely.updateTable("users").set({ role: "reviewer" }).where("id", "=", userId).execute();
    // The rebuilt table still refuses what is not a role, and its rows are still the sessions' parents.
    await expect(conn.kysely.updateTable("users").set({ role: "owner" }).execute()).rejects.toThrow(
      /CHECK|check/,
    );
    await conn.kysely.deleteFrom("users").where("id", "=", userId).execute();
    expect(await conn.kysely.selectFrom("sessions").selectAll().execute()).toEqual([]);
  });

  it("applies all pending migrations or none", async () => {
    const conn = await connect(await freshTarget(dialect));
    const broken = [
      { version: 1, name: "0001-a.sql", sql: "CREATE TABLE a (x INTEGER);" },
      { version: 2, name: "0002-b.sql", sql: "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);" },
    ];
    await expect(migrateDb(conn, broken)).rejects.toThrow(/nowhere/);
    expect(await tableNames(conn)).toEqual(dialect === "sqlite" ? ["schema_migrations"] : []);
  });

  it("refuses a database a newer Labelbench migrated, naming both versions", async () => {
    const target = await freshTarget(dialect);
    const conn = await connect(target);
    await migrateDb(conn);
    await conn.kysely
      .insertInto("schema_migrations")
      .values({ version: 99, name: "0099-from-the-future.sql", applied_at: new Date().toISOString() })
      .execute();
    const latest = loadMigrations(migrationsDir(dialect)).at(-1)?.version;
    await expect(migrateDb(conn)).rejects.toThrow(
      new RegExp(
        `has schema version 99 \\(0099-from-the-future\\.sql\\), newer than this Labelbench knows \\(up to ${latest}\\)`,
      ),
    );
    await conn.close();
    const err = await startDb(target).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(DatabaseStartError);
    expect((err as Error).message).toMatch(
      /^cannot migrate the database .*: the database .* has schema version 99/,
    );
  });

  it("keeps the per-status counts with triggers", async () => {
    const conn = await connect(await freshTarget(dialect));
    await migrateDb(conn);
    const db = conn.kysely;
    const now = new Date().toISOString();
    const project = async (name: string) =>
      (
        await db
          .insertInto("projects")
          .values({ name, created_at: now, updated_at: now })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id;
    const a = await project("a");
    const b = await project("b");
    const image = async (projectId: number, sha: string, status = "new") =>
      (
        await db
          .insertInto("images")
          .values({
            project_id: projectId,
            sha256: sha,
            file_name: `${sha}.png`,
            width: 1,
            height: 1,
            format: "png",
            byte_size: 1,
            status,
            created_at: now,
            updated_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id;
    const ids = [await image(a, "1"), await image(a, "2"), await image(a, "3"), await image(a, "4")];
    await image(b, "5", "done");
    const stored = () =>
      db
        .selectFrom("image_status_counts")
        .select(["project_id as p", "status", "n"])
        .where("n", ">", 0)
        .orderBy("project_id")
        .orderBy("status")
        .execute();
    const truth = () =>
      db
        .selectFrom("images")
        .select((e) => ["project_id as p", "status", e.fn.countAll<number>().as("n")])
        .groupBy(["project_id", "status"])
        .orderBy("project_id")
        .orderBy("status")
        .execute();
    expect(await stored()).toEqual(await truth());
    await db
      .updateTable("images")
      .set({ status: "done" })
      .where("id", "in", [ids[0] ?? 0, ids[1] ?? 0])
      .execute();
    await db
      .updateTable("images")
      .set({ status: "done" })
      .where("id", "=", ids[0] ?? 0)
      .execute();
    await db
      .updateTable("images")
      .set({ file_name: "x.png" })
      .where("id", "=", ids[2] ?? 0)
      .execute();
    expect(await stored()).toEqual(await truth());
    await db
      .deleteFrom("images")
      .where("id", "=", ids[3] ?? 0)
      .execute();
    expect(await stored()).toEqual(await truth());
    await db.deleteFrom("projects").where("id", "=", a).execute();
    expect(await stored()).toEqual(await truth());
    expect(await truth()).toEqual([{ p: b, status: "done", n: 1 }]);
    // status_rank is computed from status by the database itself on both.
    expect(await db.selectFrom("images").select(["status", "status_rank"]).execute()).toEqual([
      { status: "done", status_rank: 2 },
    ]);
  });
});

describe.skipIf(!TEST_DATABASE_URL)("migrateDb on PostgreSQL, several processes", () => {
  it("two processes starting at once migrate once (advisory lock)", async () => {
    const target = await freshTarget("postgres");
    const [one, two] = [await connect(target), await connect(target)];
    const results = await Promise.all([migrateDb(one), migrateDb(two)]);
    const all = loadMigrations(migrationsDir("postgres")).map((m) => m.version);
    expect(results.map((r) => r.length).sort()).toEqual([0, all.length]);
    expect((await recorded(one)).map((r) => r.version)).toEqual(all);
  });

  it("the 0010 migration refuses a database that already has images (it cannot compute their name keys)", async () => {
    const conn = await connect(await freshTarget("postgres"));
    const all = loadMigrations(migrationsDir("postgres"));
    await migrateDb(conn, all.slice(0, 9));
    await sql`INSERT INTO projects (name, created_at, updated_at) VALUES ('p', 'x', 'x')`.execute(
      conn.kysely,
    );
    await sql`INSERT INTO images (project_id, sha256, file_name, width, height, format, byte_size, created_at, updated_at)
      SELECT id, 'a', 'a.png', 1, 1, 'png', 1, 'x', 'x' FROM projects`.execute(conn.kysely);
    await expect(migrateDb(conn, all)).rejects.toThrow(
      /migration 0010-library-order\.sql failed: .*cannot compute natural sort keys/,
    );
  });
});
