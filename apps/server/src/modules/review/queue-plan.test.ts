import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { naturalSortKey } from "@labelbench/schema";
import { CompiledQuery, type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DbConnection, openDb } from "../../db/connect.js";
import { migrate, openDatabase } from "../../db/database.js";
import type { Database } from "../../db/schema.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { migratedTemplate, type ScratchDatabase } from "../../test-support/postgres.js";
import { type QueueFilter, reviewQueueQuery } from "./work-repo.js";

/**
 * The review queue's pages at 40,000 images with 12,000 pending, on the suite's backend: with or
 * without filters, from the start or from a cursor deep in, a page walks images_project_review
 * (project, state, submitted_at, id) from its key instead of reading and sorting the state's rows.
 * The time of the same pages at 100k images is measured by `BENCH_ONLY=review-queue npm run bench`.
 */
let dir: string;
let scratch: ScratchDatabase | null = null;
let conn: DbConnection;
let db: Kysely<Database>;
let projectId: number;
let annotator: number;
const t0 = Date.parse("2026-01-02T00:00:00Z");

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-queue-plan-"));
  let target = path.join(dir, "db.sqlite");
  if (TEST_BACKEND === "postgres") {
    scratch = await (await migratedTemplate()).clone();
    target = scratch.url;
  } else {
    const file = openDatabase(target);
    migrate(file);
    file.close();
  }
  conn = await openDb(target, { poolSize: 2 });
  db = conn.kysely;
  projectId = (
    await db
      .insertInto("projects")
      .values({ name: "p", description: "", created_at: "x", updated_at: "x" })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  const people: number[] = [];
  for (let u = 0; u < 10; u++)
    people.push(
      (
        await db
          .insertInto("users")
          .values({
            email: `a${u}@example.com`,
            name: `A${u}`,
            role: "annotator",
            password_hash: "!",
            created_at: "x",
            updated_at: "x",
          })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id,
    );
  annotator = people[3] ?? 0;
  const fill = async (work: (trx: Kysely<Database>) => Promise<void>) =>
    TEST_BACKEND === "postgres" ? work(db) : db.transaction().execute(work);
  let pending = 0;
  await fill(async (trx) => {
    for (let from = 0; from < 40_000; from += 1000) {
      const rows = Array.from({ length: 1000 }, (_, k) => {
        const i = from + k;
        const name = `frame_${i}.png`;
        const isPending = i % 10 === 1 || i % 10 === 4 || i % 10 === 7;
        return {
          project_id: projectId,
          sha256: i.toString(16).padStart(64, "0"),
          file_name: name,
          name_key: naturalSortKey(name),
          width: 100,
          height: 100,
          format: "png",
          byte_size: 1000,
          status: isPending ? "done" : "in_progress",
          created_at: "x",
          updated_at: "x",
          review_state: isPending ? "pending" : "none",
          attempt: isPending ? 1 + (i % 2) : 0,
          submitted_by: isPending ? (people[i % 10] ?? null) : null,
          submitted_at: isPending ? new Date(t0 + pending++ * 1000).toISOString() : null,
          unresolved_issues: i % 7 === 0 ? 1 : 0,
        };
      });
      await trx.insertInto("images").values(rows).execute();
    }
  });
  if (TEST_BACKEND === "postgres") await sql`ANALYZE images`.execute(db);
}, 120_000);

afterAll(async () => {
  await conn?.close();
  await scratch?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const plan = async (q: { sql: string; parameters: readonly unknown[] }) => {
  const explain = TEST_BACKEND === "postgres" ? "EXPLAIN" : "EXPLAIN QUERY PLAN";
  const r = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(`${explain} ${q.sql}`, [...q.parameters]),
  );
  return r.rows.map((row) => String(row["QUERY PLAN"] ?? row.detail)).join(" | ");
};

describe(`review queue pages on ${TEST_BACKEND}`, () => {
  it("walk images_project_review from the cursor, filtered or not, without sorting", async () => {
    const deep = { submittedAt: new Date(t0 + 6000 * 1000).toISOString(), id: 20_000 };
    const filters: Omit<QueueFilter, "limit" | "after">[] = [
      { state: "pending" },
      { state: "pending", annotatorId: annotator },
      { state: "pending", openIssues: true },
      { state: "pending", attempt: 2 },
      { state: "pending", submittedSince: deep.submittedAt },
      { state: "stale" },
    ];
    for (const f of filters)
      for (const after of [undefined, deep]) {
        const p = await plan(reviewQueueQuery(db, projectId, { ...f, after, limit: 50 }).compile());
        const what = `${JSON.stringify(f)} ${after ? "deep" : "first"}: ${p}`;
        if (TEST_BACKEND === "postgres") {
          // One annotator's submissions: PostgreSQL may as well read them by images_submitted_by and
          // sort that person's rows (a tenth of the state's here), which its statistics price alike.
          expect(p, what).toMatch(
            f.annotatorId === undefined
              ? /Index Scan using images_project_review/
              : /Index Scan using images_(project_review|submitted_by)/,
          );
          if (f.annotatorId === undefined) expect(p, what).not.toMatch(/Sort|Seq Scan/);
          else expect(p, what).not.toMatch(/Seq Scan/);
        } else {
          expect(p, what).toMatch(/images_project_review/);
          expect(p, what).not.toMatch(/TEMP B-TREE|SCAN images/);
        }
      }
  });
});
