import fs from "node:fs";
import { naturalSortKey } from "@labelbench/schema";
import Database from "better-sqlite3";
import { sql } from "kysely";
import type pg from "pg";
import type { Executor } from "../../db/executor.js";
import { COPY_CHUNK, copyInto, copyText, kyselyOnClient } from "../../db/pg-copy.js";
import { importedImages } from "../images/image-changes-repo.js";
import { type ImportRow, importRepo } from "./import-repo.js";

/**
 * Publishing an import's staging file into PostgreSQL. The staging file is read with
 * better-sqlite3 (it is the decoding worker's scratch file, SQLite on both backends); each step
 * writes its annotations with `COPY annotations FROM STDIN` and everything else with Kysely, all on
 * one pooled client inside one transaction, so a step is all or nothing exactly as on SQLite.
 */

/** Namespace of the advisory locks that say "this session publishes import <id>" (int4, arbitrary). */
const PUBLISH_LOCK_NAMESPACE = 0x1abe1;

/** Ids per `= any($1)` list: one parameter each, kept small enough for a quick plan. */
const ID_BATCH = 10_000;
/** Rows per multi-row INSERT (images, tags): under PostgreSQL's 65535 parameters. */
const INSERT_BATCH = 1_000;

const batches = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

interface StagedImageRow {
  seq: number;
  image_id: number | null;
  sha256: string | null;
  file_name: string | null;
  width: number | null;
  height: number | null;
  channels: number | null;
  format: string | null;
  byte_size: number | null;
  tile_state: string | null;
  tags: string | null;
}
interface StagedRow {
  image_seq: number;
  position: number;
  uid: string;
  label: number;
  geometry: string;
  attributes: string | null;
}

/** The staging file, read-only, with the statements a publish reads it through. */
const openStage = (file: string) => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const rowsOf = db.prepare<[number], { seq: number; rows: number }>(
    "SELECT seq, rows FROM images WHERE seq > ? ORDER BY seq",
  );
  const images = db.prepare<[number, number], StagedImageRow>(
    `SELECT seq, image_id, sha256, file_name, width, height, channels, format, byte_size, tile_state, tags
     FROM images WHERE seq BETWEEN ? AND ? ORDER BY seq`,
  );
  const rows = db.prepare<[number, number], StagedRow>(
    "SELECT image_seq, position, uid, label, geometry, attributes FROM rows WHERE image_seq BETWEEN ? AND ? ORDER BY image_seq, position",
  );
  return {
    rowsOf: (after: number) => rowsOf.all(after).map((r) => r.rows),
    images: (from: number, to: number) => images.all(from, to),
    rows: (from: number, to: number) => rows.iterate(from, to),
    close: () => db.close(),
  };
};
type Stage = ReturnType<typeof openStage>;

/** The project's labels, locked against deletion until the step commits (a deletion waits for it). */
const presentLabels = async (trx: Executor, projectId: number): Promise<Set<number>> =>
  new Set(
    (
      await trx.selectFrom("labels").select("id").where("project_id", "=", projectId).forKeyShare().execute()
    ).map((r) => r.id),
  );

/**
 * Which project image each staged image of the step is: new ones are created first (an image
 * with the same content already there is used instead, as SQLite's INSERT OR IGNORE does), and
 * every one is locked against deletion until the step commits. Images deleted while the import
 * ran are left out.
 */
const resolveImages = async (
  trx: Executor,
  imp: ImportRow,
  staged: readonly StagedImageRow[],
): Promise<{ seq: number; imageId: number; tags: string | null }[]> => {
  const fresh = staged.filter((s) => s.image_id === null);
  for (const part of batches(fresh, INSERT_BATCH))
    await trx
      .insertInto("images")
      .values(
        part.map((s) => ({
          project_id: imp.project_id,
          sha256: s.sha256 as string,
          file_name: s.file_name as string,
          name_key: naturalSortKey(s.file_name as string),
          width: s.width as number,
          height: s.height as number,
          channels: s.channels,
          format: s.format as string,
          byte_size: s.byte_size as number,
          tile_state: s.tile_state ?? "none",
          created_at: imp.started_at,
          updated_at: imp.started_at,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  const bySha = new Map<string, number>();
  for (const part of batches(
    fresh.map((s) => s.sha256 as string),
    ID_BATCH,
  ))
    for (const r of await trx
      .selectFrom("images")
      .select(["id", "sha256"])
      .where("project_id", "=", imp.project_id)
      .where(sql<boolean>`sha256 = any(${part}::text[])`)
      .forKeyShare()
      .execute())
      bySha.set(r.sha256, r.id);
  const present = new Set<number>();
  for (const part of batches(
    staged.flatMap((s) => (s.image_id === null ? [] : [s.image_id])),
    ID_BATCH,
  ))
    for (const r of await trx
      .selectFrom("images")
      .select("id")
      .where("project_id", "=", imp.project_id)
      .where(sql<boolean>`id = any(${part}::bigint[])`)
      .forKeyShare()
      .execute())
      present.add(r.id);
  return staged.flatMap((s) => {
    const imageId =
      s.image_id === null ? bySha.get(s.sha256 as string) : present.has(s.image_id) ? s.image_id : undefined;
    return imageId === undefined ? [] : [{ seq: s.seq, imageId, tags: s.tags }];
  });
};

/** Append: the next free position of each image (0 for an empty one) and how many annotations it has. */
const kept = async (
  trx: Executor,
  ids: readonly number[],
): Promise<Map<number, { next: number; count: number }>> => {
  const out = new Map<number, { next: number; count: number }>();
  for (const part of batches(ids, ID_BATCH))
    for (const r of await trx
      .selectFrom("annotations")
      .select((eb) => ["image_id", eb.fn.max("position").as("p"), eb.fn.countAll().as("n")])
      .where(sql<boolean>`image_id = any(${part}::bigint[])`)
      .groupBy("image_id")
      .execute())
      out.set(r.image_id, { next: Number(r.p) + 1, count: Number(r.n) });
  return out;
};

const clearImages = async (trx: Executor, ids: readonly number[]) => {
  for (const part of batches(ids, ID_BATCH)) {
    await trx.deleteFrom("annotations").where(sql<boolean>`image_id = any(${part}::bigint[])`).execute();
    await trx.deleteFrom("image_tags").where(sql<boolean>`image_id = any(${part}::bigint[])`).execute();
  }
};

/** Lines of COPY text for the step's staged rows, ~64 KB at a time. */
function* copyLines(
  stage: Stage,
  from: number,
  to: number,
  target: ReadonlyMap<number, { imageId: number; base: number; tally: { count: number } }>,
  labelOf: (ref: number) => number | undefined,
  imp: ImportRow,
): Generator<string> {
  const tail = `\t${copyText(imp.actor)}\t${copyText(imp.actor)}\t${copyText(imp.started_at)}\t${copyText(imp.started_at)}\t`;
  let buf = "";
  for (const r of stage.rows(from, to)) {
    const image = target.get(r.image_seq);
    // An image deleted while the import ran, or a label deleted while it published (which takes its shapes with it).
    const label = image && labelOf(r.label);
    if (!image || label === undefined) continue;
    image.tally.count++;
    buf += `${image.imageId}\t${copyText(r.uid)}\t${label}\t${copyText(r.geometry)}\t${image.base + r.position}${tail}${copyText(r.attributes)}\n`;
    if (buf.length >= COPY_CHUNK) {
      yield buf;
      buf = "";
    }
  }
  if (buf) yield buf;
}

/**
 * Publishes staged images `from`..`to` (seq) on the step's transaction: each image's annotations
 * replaced (or appended to) by COPY, its tags, count, status and revision, and the progress.
 */
const publishRange = async (
  trx: Executor,
  client: pg.PoolClient,
  stage: Stage,
  imp: ImportRow,
  created: ReadonlyMap<number, number>,
  from: number,
  to: number,
) => {
  const chunk = await resolveImages(trx, imp, stage.images(from, to));
  const ids = chunk.map((c) => c.imageId);
  const before =
    imp.existing === "append" ? await kept(trx, ids) : new Map<number, { next: number; count: number }>();
  if (imp.existing === "replace") await clearImages(trx, ids);
  const labels = await presentLabels(trx, imp.project_id);
  const labelOf = (ref: number): number | undefined => {
    const id = ref > 0 ? ref : created.get(ref);
    return id !== undefined && labels.has(id) ? id : undefined;
  };
  // Each image's count as the step leaves it: what an append kept, plus the rows copyLines writes.
  const tallies = new Map(ids.map((id) => [id, { count: before.get(id)?.count ?? 0 }]));
  const target = new Map(
    chunk.map((c) => [
      c.seq,
      {
        imageId: c.imageId,
        base: before.get(c.imageId)?.next ?? 0,
        tally: tallies.get(c.imageId) ?? { count: 0 },
      },
    ]),
  );
  await copyInto(
    client,
    "annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at, attributes)",
    copyLines(stage, from, to, target, labelOf, imp),
  );
  const tags = chunk.flatMap((c) => {
    if (c.tags === null) return [];
    const ids = new Set((JSON.parse(c.tags) as number[]).map(labelOf));
    return [...ids].flatMap((labelId) =>
      labelId === undefined ? [] : [{ image_id: c.imageId, label_id: labelId }],
    );
  });
  for (const part of batches(tags, INSERT_BATCH))
    await trx
      .insertInto("image_tags")
      .values(part)
      .onConflict((oc) => oc.doNothing())
      .execute();
  const counted = [...tallies].map(([id, t]) => ({ id, count: t.count }));
  for (const part of batches(counted, ID_BATCH)) await importedImages(trx, part, imp.started_at);
  await importRepo.setProgress(trx, imp.id, to);
};

export type PublishOutcome = "published" | "gone" | "busy" | "lost";

/**
 * Publishes a committed import on PostgreSQL, one short transaction per step, `pause()` between
 * them. A session advisory lock on one pooled client says which process publishes the import: a
 * second process (a restart beside a live one) finds it taken and answers "busy" and leaves it alone; the lock goes
 * with the session when its process dies, so the next start takes the import over. Inside each
 * step the import's row is locked and its progress re-read, so a step never publishes an image
 * twice whatever happened before it. An import whose staging file is not here (it was on a machine
 * that is gone) is dropped, under the lock, as "lost".
 */
export const publishOnPostgres = async (
  pool: pg.Pool,
  importId: number,
  opts: { targetMs: number; firstRows: number; pause: () => Promise<void> },
): Promise<{ outcome: PublishOutcome; imp?: ImportRow }> => {
  const client = await pool.connect();
  const k = kyselyOnClient(client);
  let locked = false;
  try {
    const got = await sql<{
      ok: boolean;
    }>`SELECT pg_try_advisory_lock(${PUBLISH_LOCK_NAMESPACE}::int, ${importId}::int) AS ok`.execute(k);
    locked = got.rows[0]?.ok === true;
    if (!locked) return { outcome: "busy" };
    const imp = await importRepo.get(k, importId);
    if (!imp) return { outcome: "gone" };
    if (!fs.existsSync(imp.stage_file)) {
      // Under the lock: no live process is publishing it, and the file it needs is not here.
      await importRepo.delete(k, imp.id);
      return { outcome: "lost", imp };
    }
    const created = await importRepo.labelMap(k, imp.id);
    const stage = openStage(imp.stage_file);
    try {
      const rowsOf = stage.rowsOf(imp.published_through);
      let target = opts.firstRows;
      let i = 0;
      let seq = imp.published_through;
      while (i < rowsOf.length) {
        let rows = 0;
        while (i < rowsOf.length && (rows === 0 || rows + (rowsOf[i] ?? 0) <= target)) {
          rows += Math.max(rowsOf[i] ?? 0, 1);
          i++;
          seq++;
        }
        const to = seq;
        const t0 = performance.now();
        const finished = await k.transaction().execute(async (trx) => {
          const through = await importRepo.lockProgress(trx, imp.id, "postgres");
          if (through === undefined) return true;
          if (through < to) await publishRange(trx, client, stage, imp, created, through + 1, to);
          return false;
        });
        if (finished) return { outcome: "gone" };
        const ms = performance.now() - t0;
        if (ms > 2 * opts.targetMs) target = Math.max(100, Math.floor(target / 2));
        else if (ms < opts.targetMs / 2) target = Math.min(100_000, Math.floor(target * 1.5));
        await opts.pause();
      }
    } finally {
      stage.close();
    }
    const last = await k.transaction().execute((trx) => importRepo.finish(trx, imp));
    return { outcome: last ? "published" : "gone", imp };
  } finally {
    if (locked)
      await sql`SELECT pg_advisory_unlock(${PUBLISH_LOCK_NAMESPACE}::int, ${importId}::int)`
        .execute(k)
        .catch(() => {});
    client.release();
    await k.destroy();
  }
};
