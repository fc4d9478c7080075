/**
 * What the PostgreSQL export reader spends per million annotations on the main thread: the
 * cursor's FETCH through Kysely (row objects, turned into columns) against the same FETCH with
 * rows as arrays (`rowMode: "array"`), and the structured clone each batch costs on its way to
 * the export worker. CPU time of this process, on a copy of the bench's dataset. Evidence for
 * docs/benchmarks.md, not a bench case.
 *
 *   npx tsx bench/profile-export-pg-reads.ts <generated sqlite file>
 */
import { deserialize, serialize } from "node:v8";
import { ExportQuery } from "@labelbench/schema";
import pg from "pg";
import { openDb } from "../apps/server/src/db/connect.js";
import { pgExportRepo } from "../apps/server/src/modules/exports/export-pg-repo.js";
import { benchDatabaseUrl, loadTemplate, urlOf } from "./backends.js";

const [file] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-export-pg-reads.ts <sqlite file>");
const template = await loadTemplate(file);
const name = `${template}_r`;
const admin = new pg.Client({ connectionString: benchDatabaseUrl() });
await admin.connect();
await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
const conn = await openDb(urlOf(name), { poolSize: 1 });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
try {
  const ids = (await conn.kysely.selectFrom("images").select("id").orderBy("id").execute()).map((r) => r.id);
  for (const mode of ["array", "kysely", "clone", "array", "kysely", "clone"]) {
    if (mode === "array") {
      const c0 = cpu();
      const t0 = performance.now();
      if (conn.dialect !== "postgres") throw new Error("expected a PostgreSQL connection");
      const client = await conn.pool.connect();
      let rows = 0;
      try {
        await client.query("BEGIN");
        await client.query(
          "DECLARE c NO SCROLL CURSOR FOR SELECT image_id, id, label_id, geometry, attributes FROM annotations WHERE image_id = any($1::bigint[]) ORDER BY image_id, position, id",
          [ids],
        );
        for (;;) {
          const r = await client.query({ text: "FETCH 4096 FROM c", rowMode: "array" });
          if (r.rows.length === 0) break;
          rows += r.rows.length;
        }
        await client.query("COMMIT");
      } finally {
        client.release();
      }
      console.log(
        `array: ${rows} rows, ${(cpu() - c0).toFixed(2)} s CPU, ${((performance.now() - t0) / 1000).toFixed(2)} s wall`,
      );
      continue;
    }
    const c0 = cpu();
    const t0 = performance.now();
    let rows = 0;
    let cloneCpu = 0;
    await conn.kysely.transaction().execute(async (trx) => {
      const repo = pgExportRepo(trx, 1, ExportQuery.parse({ format: "coco" }).status);
      await repo.declareShapes("c", ids);
      for (;;) {
        const b = await repo.fetchShapes("c", 4096);
        if (b.ids.length === 0) break;
        rows += b.ids.length;
        if (mode === "clone") {
          const k0 = cpu();
          deserialize(serialize(b));
          cloneCpu += cpu() - k0;
        }
      }
    });
    console.log(
      `${mode}: ${rows} rows, ${(cpu() - c0).toFixed(2)} s CPU (clone ${cloneCpu.toFixed(2)} s), ${((performance.now() - t0) / 1000).toFixed(2)} s wall`,
    );
  }
} finally {
  await conn.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await admin.end();
}
