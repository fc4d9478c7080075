import { ImageSort, naturalSortKey } from "@labelbench/schema";
import { CompiledQuery, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/schema.js";
import { openProcessesDatabase, type ProcessesDatabase, TEST_BACKEND } from "../../test-support/app.js";
import { fillLibrary } from "../../test-support/library.js";
import { keyOf } from "./order.js";
import { type ImageRow, pageQuery } from "./repo.js";

/**
 * The library's pages at 100,000 images, on the suite's backend (SQLite, or PostgreSQL with
 * LABELBENCH_TEST_BACKEND=postgres): every order, both directions, with and without a status filter,
 * from the start or deep, must walk the order's index (migration 0010) rather than read and sort the
 * project's rows. Repo-level, so it needs no API (images.test.ts times the same pages through it).
 */
let database: ProcessesDatabase;
let db: Kysely<Database>;
let projectId: number;

beforeAll(async () => {
  database = await openProcessesDatabase({ poolSize: 2 });
  db = database.sql;
  projectId = (
    await db
      .insertInto("projects")
      .values({ name: "p", description: "", created_at: "x", updated_at: "x" })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  await fillLibrary(db, TEST_BACKEND, projectId, 100_000);
}, 120_000);

afterAll(() => database?.close());

/** The plan of a query, one line per step, from the dialect's EXPLAIN. */
const plan = async (q: { sql: string; parameters: readonly unknown[] }) => {
  const explain = TEST_BACKEND === "postgres" ? "EXPLAIN" : "EXPLAIN QUERY PLAN";
  const r = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(`${explain} ${q.sql}`, [...q.parameters]),
  );
  return r.rows.map((row) => String(row["QUERY PLAN"] ?? row.detail)).join(" | ");
};

describe(`library pages on ${TEST_BACKEND}`, () => {
  it("walk an index in the list's order in every order and direction, filtered or not, deep or not", async () => {
    // From a "done" image, as a cursor of the "done" filter is.
    const someRow = (await db
      .selectFrom("images")
      .selectAll()
      .where("id", "=", 50003)
      .executeTakeFirstOrThrow()) as ImageRow;
    for (const sort of ImageSort.options)
      for (const order of ["asc", "desc"] as const)
        for (const status of [undefined, "done" as const])
          for (const after of [null, keyOf({ sort, order }, someRow)]) {
            const q = pageQuery(db, TEST_BACKEND, projectId, {
              status,
              order: { sort, order },
              after,
              limit: 100,
            }).compile();
            const p = await plan(q);
            const what = `${sort} ${order} ${status} ${after}: ${p}`;
            if (TEST_BACKEND === "postgres") {
              // An index scan in the order's direction: no sort step, no read of the whole table.
              // (The added order may walk the primary key, filtering by project: with one project
              // here, as cheap as the project's own index.)
              expect(p, what).toMatch(/Index Scan (Backward )?using (images_project_|images_pkey)/);
              expect(p, what).not.toMatch(/Sort|Seq Scan|Bitmap/);
              // A deep page starts the scan at the cursor's key: the row value is an index condition.
              if (after) expect(p, what).toMatch(/Index Cond: .*(ROW\(|\(id [<>] )/);
            } else {
              expect(p, what).not.toMatch(/TEMP B-TREE|SCAN images/);
              // A deep page seeks its index to the cursor's key rather than reading from the start,
              // on two columns where the first has ties.
              if (after && sort !== "added")
                expect(p, what).toMatch(
                  /(name_key|\((updated_at|annotation_count|status_rank),name_key\))[<>]/,
                );
            }
          }
  }, 60_000);

  it("answers the pages the plans promise (deep cursor by name, a status filter)", async () => {
    const byName = { sort: "name", order: "asc" } as const;
    const deep = await pageQuery(db, TEST_BACKEND, projectId, {
      order: byName,
      after: [naturalSortKey("frame_89999.png"), 90_000],
      limit: 2,
    }).execute();
    expect(deep.map((r) => r.file_name)).toEqual(["frame_90000.png", "frame_90001.png", "frame_90002.png"]);
    const done = await pageQuery(db, TEST_BACKEND, projectId, {
      status: "done",
      order: { sort: "status", order: "asc" },
      after: null,
      limit: 99,
    }).execute();
    expect(done).toHaveLength(100);
    expect(done.every((r) => r.status === "done")).toBe(true);
  });

  it("searches names ignoring ASCII case, % and _ literal", async () => {
    const page = (q: string) =>
      pageQuery(db, TEST_BACKEND, projectId, {
        q,
        order: { sort: "name", order: "asc" },
        after: null,
        limit: 10,
      }).execute();
    expect((await page("FRAME_9999")).map((r) => r.file_name)).toContain("frame_99990.png");
    expect(await page("frame%9999")).toEqual([]);
    expect((await page("e_99999.")).map((r) => r.file_name)).toEqual(["frame_99999.png"]);
  });
});
