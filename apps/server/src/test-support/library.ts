import { naturalSortKey } from "@labelbench/schema";
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../db/connect.js";
import type { Database } from "../db/schema.js";

const STATUSES = ["new", "in_progress", "done", "skipped"] as const;

/**
 * A library of `count` image rows in `projectId`, without files, as the paging tests need it:
 * image i is `frame_<i>.png` (ids from 1 in that order on a fresh database), its status the i-th
 * of new, in_progress, done, skipped in turn, i % 13 annotations, and 20 images share each time (so
 * the edited order's first column has ties). On PostgreSQL the rows go in a transaction per
 * thousand (the status-count trigger updates the same four rows for every image, and one
 * transaction's versions of a row pile up until it commits), and the planner's statistics are
 * gathered after, as autovacuum does on a live server.
 */
export const fillLibrary = async (
  db: Kysely<Database>,
  dialect: Dialect,
  projectId: number,
  count: number,
): Promise<void> => {
  const from = Date.parse("2026-01-01T00:00:00Z");
  const fill = async (trx: Kysely<Database>) => {
    for (let first = 0; first < count; first += 1000) {
      const rows = Array.from({ length: Math.min(1000, count - first) }, (_, k) => {
        const i = first + k;
        const name = `frame_${i}.png`;
        const at = new Date(from + (i % 5000) * 1000).toISOString();
        return {
          project_id: projectId,
          sha256: i.toString(16).padStart(64, "0"),
          file_name: name,
          name_key: naturalSortKey(name),
          width: 100,
          height: 100,
          format: "png",
          byte_size: 1000,
          status: STATUSES[i % 4],
          annotation_count: i % 13,
          created_at: at,
          updated_at: at,
        };
      });
      await trx.insertInto("images").values(rows).execute();
    }
  };
  if (dialect === "postgres") {
    await fill(db);
    await sql`ANALYZE images`.execute(db);
  } else await db.transaction().execute(fill);
};
