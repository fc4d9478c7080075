/**
 * The predictions import's statements timed one by one (wall, on the database's connection), on
 * PostgreSQL or SQLite: `npx tsx bench/profile-predictions.ts [postgres|sqlite]`.
 */
import pg from "pg";
import { predictionsImport } from "./cases/predictions.js";

const backend = process.argv[2] === "sqlite" ? "sqlite" : "postgres";
const times = new Map<string, { n: number; ms: number }>();
const original = pg.Client.prototype.query;
// biome-ignore lint/suspicious/noExplicitAny: a timing shim over pg's overloaded query()
(pg.Client.prototype as any).query = function (this: pg.Client, ...args: any[]) {
  const text: string = typeof args[0] === "string" ? args[0] : (args[0]?.text ?? "COPY/stream");
  const key = text.replace(/\s+/g, " ").slice(0, 90);
  const t0 = performance.now();
  // EXPLAIN=1: the predictions' INSERTs run under EXPLAIN ANALYZE (which runs them), plans printed.
  const explain = process.env.EXPLAIN === "1" && /^\s*INSERT INTO predictions/i.test(text);
  if (explain) args[0] = `EXPLAIN (ANALYZE, BUFFERS, WAL) ${text}`;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const r = (original as any).apply(this, args);
  if (explain)
    r.then((res: pg.QueryResult) => {
      for (const row of res.rows) console.log(Object.values(row)[0]);
    });
  const done = () => {
    const e = times.get(key) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += performance.now() - t0;
    times.set(key, e);
  };
  if (r && typeof r.then === "function") r.then(done, done);
  else if (r && typeof r.on === "function") r.on("finish", done);
  return r;
};
const rows = await predictionsImport(process.env.QUICK === "1", backend);
for (const r of rows) console.log(r.figure, r.value);
for (const [k, v] of [...times].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
  console.log(v.ms.toFixed(0).padStart(7), "ms", String(v.n).padStart(5), "x", k);
