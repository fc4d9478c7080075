/**
 * The plan PostgreSQL runs for an export's shapes at 100k images / 1M annotations: the cursor's
 * query (export-pg-repo.ts declareShapes, every image id of the export in one `= ANY(…)` array),
 * run whole with EXPLAIN (ANALYZE, BUFFERS) on a copy of the bench's dataset. Evidence for
 * docs/benchmarks.md, not a bench case.
 *
 *   npx tsx bench/explain-export.ts        (IMAGES=…, PER_IMAGE=… for another dataset)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { benchDatabaseUrl, loadTemplate, urlOf } from "./backends.js";
import { generateDataset } from "./cases/dataset.js";

const images = Number(process.env.IMAGES ?? 100_000);
const perImage = Number(process.env.PER_IMAGE ?? 10);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-explain-"));
generateDataset(dir, images, perImage);
const template = await loadTemplate(path.join(dir, "labelbench.sqlite"));
const name = `${template}_x`;
const admin = new pg.Client({ connectionString: benchDatabaseUrl() });
await admin.connect();
await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
const c = new pg.Client({ connectionString: urlOf(name) });
await c.connect();
try {
  const ids = (
    await c.query<{ id: string }>("SELECT id FROM images WHERE project_id = 1 ORDER BY id")
  ).rows.map((r) => Number(r.id));
  const query = `SELECT image_id, id, label_id, geometry FROM annotations WHERE image_id = any($1::bigint[]) ORDER BY image_id, position, id`;
  // As the cursor plans it (cursor_tuple_fraction), then the plan a plain query would get.
  await c.query("BEGIN");
  const cursorPlan = await c.query(`EXPLAIN DECLARE x NO SCROLL CURSOR FOR ${query}`, [ids]);
  console.log("cursor plan:\n", cursorPlan.rows.map((r) => r["QUERY PLAN"]).join("\n"));
  await c.query("ROLLBACK");
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${query}`, [ids]);
    console.log(
      `\nrun ${i + 1} (${((performance.now() - t0) / 1000).toFixed(1)} s):\n`,
      r.rows.map((x) => x["QUERY PLAN"]).join("\n"),
    );
  }
} finally {
  await c.end();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
}
