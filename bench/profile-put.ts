/**
 * Where the time of a dense PUT goes, per backend: the annotation service's `put` of 10,000 boxes
 * below HTTP, with every statement Kysely runs timed (its `log` hook: the round trip as the
 * server sees it). Not a bench case (no target): the evidence behind docs/benchmarks.md's note
 * on PostgreSQL's dense saves.
 *
 *   npx tsx bench/profile-put.ts /tmp/x.sqlite
 *   npx tsx bench/profile-put.ts postgres://user:pw@host/db   (a fresh, empty database)
 */
import fs from "node:fs";
import { AnnotationSetPut } from "@labelbench/schema";
import { Kysely, type LogEvent, PostgresDialect } from "kysely";
import { openDb } from "../apps/server/src/db/connect.js";
import { migrateDb } from "../apps/server/src/db/migrate.js";
import type { Database } from "../apps/server/src/db/schema.js";
import { annotationService } from "../apps/server/src/modules/annotations/service.js";
import { rng } from "./random.js";

const target = process.argv[2];
if (!target) throw new Error("usage: profile-put.ts <sqlite file | postgres url>");
const N = Number(process.env.SHAPES ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const NOW = "2026-01-01T00:00:00.000Z";

const conn = await openDb(target);
await migrateDb(conn);
const stats = new Map<string, { n: number; ms: number }>();
let recording = false;
const log = (e: LogEvent) => {
  if (!recording) return;
  const key = e.query.sql.replace(/\s+/g, " ").slice(0, 70);
  const s = stats.get(key) ?? { n: 0, ms: 0 };
  s.n++;
  s.ms += e.queryDurationMillis;
  stats.set(key, s);
};
const k: Kysely<Database> =
  conn.dialect === "postgres"
    ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: conn.pool }), log })
    : conn.kysely;

const projectId = (
  await k
    .insertInto("projects")
    .values({ name: "p", created_at: NOW, updated_at: NOW })
    .returning("id")
    .executeTakeFirstOrThrow()
).id;
const labelId = (
  await k
    .insertInto("labels")
    .values({
      project_id: projectId,
      name: "a",
      name_key: "a",
      color: "#ff0000",
      hotkey: null,
      position: 0,
      shape_types: "box,polygon",
    })
    .returning("id")
    .executeTakeFirstOrThrow()
).id;
const imageId = (
  await k
    .insertInto("images")
    .values({
      project_id: projectId,
      sha256: "0".repeat(64),
      file_name: "big.jpg",
      name_key: "big.jpg",
      width: 4000,
      height: 3000,
      format: "jpeg",
      byte_size: 1,
      status: "new",
      annotation_count: 0,
      revision: 0,
      created_at: NOW,
      updated_at: NOW,
    } as never)
    .returning("id")
    .executeTakeFirstOrThrow()
).id;

const r = rng(7);
const shapes = Array.from({ length: N }, (_, i) => {
  const w = 10 + r() * 80;
  const h = 10 + r() * 80;
  return {
    id: `b${i}`,
    labelId,
    geometry: { type: "box" as const, x: r() * (4000 - w), y: r() * (3000 - h), width: w, height: h },
  };
});
const service = annotationService({ sql: k, dialect: conn.dialect, now: () => new Date().toISOString() });
let revision = 0;
let uidRound = 0;
/** CPU time (ms) of this process, and of PostgreSQL's backends on this database (none on SQLite). */
const backendPids = async (): Promise<number[]> =>
  conn.dialect === "postgres"
    ? (
        await conn.pool.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
        )
      ).rows.map((r) => r.pid)
    : [];
const ticks = (pid: number) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
};
const cpu = async () => {
  const own = process.cpuUsage();
  const pids = await backendPids();
  // /proc counts in USER_HZ (100 a second on Linux).
  return { node: (own.user + own.system) / 1000, pg: pids.reduce((a, p) => a + ticks(p), 0) * 10 };
};

const put = async (kind: string, change: () => typeof shapes) => {
  const body = AnnotationSetPut.parse({ baseRevision: revision, annotations: change(), tags: [] });
  stats.clear();
  const c0 = await cpu();
  recording = true;
  const t0 = performance.now();
  const set = await service.put(imageId, body, null);
  const ms = performance.now() - t0;
  recording = false;
  const c1 = await cpu();
  revision = set.revision;
  const inDb = [...stats.values()].reduce((a, s) => a + s.ms, 0);
  const top = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 4);
  return { kind, ms, inDb, nodeCpu: c1.node - c0.node, pgCpu: c1.pg - c0.pg, top };
};

const results: Awaited<ReturnType<typeof put>>[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // A new set (every uid new): the old shapes deleted, the new inserted, 500 rows a statement.
  uidRound++;
  results.push(await put("all new uids", () => shapes.map((s, i) => ({ ...s, id: `r${uidRound}_${i}` }))));
  // The autosave of a dense image: one shape moved.
  results.push(
    await put("one moved", () =>
      shapes.map((s, i) => ({
        ...s,
        id: `r${uidRound}_${i}`,
        geometry: i === 0 ? { ...s.geometry, x: s.geometry.x + 1 + round } : s.geometry,
      })),
    ),
  );
  // Every shape moved: 500 rows an UPDATE … FROM (VALUES …).
  results.push(
    await put("all moved", () =>
      shapes.map((s, i) => ({
        ...s,
        id: `r${uidRound}_${i}`,
        geometry: { ...s.geometry, x: s.geometry.x + 0.5 },
      })),
    ),
  );
}
const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(
  `${conn.dialect}, ${N} shapes, ${ROUNDS} rounds (median ms: whole put / statements' round trips)`,
);
for (const kind of ["all new uids", "one moved", "all moved"]) {
  const rs = results.filter((x) => x.kind === kind);
  console.log(
    `  ${kind.padEnd(14)} ${median(rs.map((x) => x.ms))
      .toFixed(0)
      .padStart(6)} ms  db ${median(rs.map((x) => x.inDb))
      .toFixed(0)
      .padStart(
        6,
      )} ms  CPU per put: this process ${mean(rs.map((x) => x.nodeCpu)).toFixed(1)} ms, PostgreSQL ${mean(rs.map((x) => x.pgCpu)).toFixed(1)} ms`,
  );
  const last = rs[rs.length - 1];
  if (conn.dialect === "postgres" && last)
    for (const [q, s] of last.top)
      console.log(`      ${s.ms.toFixed(1).padStart(7)} ms  ${String(s.n).padStart(3)}x  ${q}`);
}
if (k !== conn.kysely) await k.destroy();
else await conn.close();
