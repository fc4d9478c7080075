import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migratedDb } from "../test-support/migrated-db.js";
import { SKIP_POSTGRES_REASON, TEST_DATABASE_URL } from "../test-support/postgres.js";
import type { Dialect } from "./connect.js";
import { type Db, migrate, openDatabase } from "./database.js";

/** The triggers of migration 0005 against the truth: a GROUP BY over the images themselves. */
let db: Db;
const now = "2026-01-01T00:00:00Z";
const stored = () =>
  db.prepare("SELECT project_id AS p, status, n FROM image_status_counts WHERE n > 0 ORDER BY 1, 2").all();
const truth = () =>
  db.prepare("SELECT project_id AS p, status, COUNT(*) AS n FROM images GROUP BY 1, 2 ORDER BY 1, 2").all();
const project = (name: string) =>
  Number(
    db
      .prepare("INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, '', ?, ?)")
      .run(name, now, now).lastInsertRowid,
  );
const image = (projectId: number, sha: string, status = "new") =>
  Number(
    db
      .prepare(
        `INSERT INTO images (project_id, sha256, file_name, width, height, format, byte_size, status, created_at, updated_at)
         VALUES (?, ?, ?, 10, 10, 'png', 1, ?, ?, ?)`,
      )
      .run(projectId, sha, `${sha}.png`, status, now, now).lastInsertRowid,
  );

beforeEach(() => {
  db = openDatabase(":memory:");
  migrate(db);
});
afterEach(() => db.close());

describe("image status counts", () => {
  it("follow inserts, status changes, deletes and project deletion", () => {
    const a = project("a");
    const b = project("b");
    const ids = ["1", "2", "3", "4"].map((s) => image(a, s));
    image(b, "5", "done");
    expect(stored()).toEqual(truth());

    db.prepare("UPDATE images SET status = 'done' WHERE id IN (?, ?)").run(ids[0], ids[1]);
    db.prepare("UPDATE images SET status = 'done' WHERE id = ?").run(ids[0]); // no change: no count moves
    db.prepare("UPDATE images SET file_name = 'x.png' WHERE id = ?").run(ids[2]);
    expect(stored()).toEqual(truth());

    db.prepare("DELETE FROM images WHERE id = ?").run(ids[3]);
    expect(stored()).toEqual(truth());

    db.prepare("DELETE FROM projects WHERE id = ?").run(a);
    expect(stored()).toEqual(truth());
    expect(truth()).toEqual([{ p: b, status: "done", n: 1 }]);
  });
});

/** Statements of many rows on both dialects (PostgreSQL counts them per statement since 0013). */
const dialects: Dialect[] = TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];
if (!TEST_DATABASE_URL) console.warn(SKIP_POSTGRES_REASON);

describe.each(dialects)("image status counts, statements of many rows (%s)", (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("follow a bulk insert, a bulk status change, a bulk delete and a project's deletion", async () => {
    const { conn } = await migratedDb(dialect, cleanups);
    const k = conn.kysely;
    const truth = async () =>
      (
        await sql<{ p: number; status: string; n: number }>`
          SELECT project_id AS p, status, COUNT(*) AS n FROM images GROUP BY project_id, status ORDER BY 1, 2`.execute(
          k,
        )
      ).rows.map((r) => ({ ...r, n: Number(r.n) }));
    const stored = async () =>
      (
        await k
          .selectFrom("image_status_counts")
          .select(["project_id as p", "status", "n"])
          .where("n", ">", 0)
          .orderBy("project_id")
          .orderBy("status")
          .execute()
      ).map((r) => ({ ...r, n: Number(r.n) }));
    const projectIds: number[] = [];
    for (const name of ["a", "b"])
      projectIds.push(
        (
          await k
            .insertInto("projects")
            .values({ name, created_at: now, updated_at: now })
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id,
      );
    const [a, b] = projectIds as [number, number];
    const rows = (projectId: number, n: number, status: string) =>
      Array.from({ length: n }, (_, i) => ({
        project_id: projectId,
        sha256: `${projectId}-${status}-${i}`,
        file_name: `${i}.png`,
        width: 10,
        height: 10,
        format: "png",
        byte_size: 1,
        status,
        created_at: now,
        updated_at: now,
      }));
    // One statement each, several projects and statuses in it.
    await k
      .insertInto("images")
      .values([...rows(a, 300, "new"), ...rows(b, 200, "done"), ...rows(a, 50, "skipped")])
      .execute();
    expect(await stored()).toEqual(await truth());
    await k
      .updateTable("images")
      .set({ status: "in_progress" })
      .where("project_id", "=", a)
      .where("status", "=", "new")
      .where("id", "<", 100)
      .execute();
    expect(await stored()).toEqual(await truth());
    await k.deleteFrom("images").where("status", "in", ["done", "skipped"]).where("id", ">", 450).execute();
    expect(await stored()).toEqual(await truth());
    await k.deleteFrom("projects").where("id", "=", a).execute();
    expect(await stored()).toEqual(await truth());
    expect((await truth()).map((r) => r.p)).toEqual([b]);
  });
});
