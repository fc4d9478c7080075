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
  waitTurn: () => Promise<void>,
): Promise<{ seq: number; imageId: number; tags: string | null }[]> => {
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
  const fresh = staged.filter((s) => s.image_id === null);
  // Creating images changes the project's row of image_status_counts, which the step after this
  // one would then wait for: the step before this one commits first, or two steps could each
  // wait for the other.
  if (fresh.length > 0) await waitTurn();
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

/**
 * A staged image of the step: its project image, the first position its rows take, and the
 * count that image has as the step leaves it (shared by the staged images of one project image).
 */
interface StepImage {
  imageId: number;
  base: number;
  tally: { count: number };
}

/** Lines of COPY text for the step's staged rows, ~64 KB at a time. */
function* copyLines(
  stage: Stage,
  from: number,
  to: number,
  target: ReadonlyMap<number, StepImage>,
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
 * replaced (or appended to) by COPY, its tags, count, status and revision. `waitTurn` waits for
 * the step before to end; it is called before the first write the two could both make (the
 * caller then records the progress).
 */
const publishRange = async (
  trx: Executor,
  client: pg.PoolClient,
  stage: Stage,
  imp: ImportRow,
  created: ReadonlyMap<number, number>,
  from: number,
  to: number,
  waitTurn: () => Promise<void>,
) => {
  const chunk = await resolveImages(trx, imp, stage.images(from, to), waitTurn);
  // Every row the step writes is of an image in `chunk` and a label in `labels`, both locked KEY
  // SHARE and read in this transaction: annotations' reference trigger (migration 0029) need not
  // check them again, row by row.
  await sql`SET LOCAL labelbench.references_checked = 'on'`.execute(trx);
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
  const target = new Map<number, StepImage>(
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
  // An image moved out of "new" changes image_status_counts too (above): from here on, after the
  // step before. The rows' writes above, most of the work, overlap with it.
  await waitTurn();
  for (const part of batches(counted, ID_BATCH)) await importedImages(trx, part, imp.started_at);
};

export type PublishOutcome = "published" | "gone" | "busy" | "lost";

/**
 * Steps run on two connections at once, each in a transaction of its own, so the database's
 * work (most of publishing: the rows' heap and index writes, the images' 13 index entries each)
 * uses both cores while this thread formats the next rows; a single connection kept one backend
 * busy and the other core mostly idle. Steps still commit in their order: each holds an advisory
 * lock of its own (`stepLock`) and waits for the one of the step before it (`waitTurn` in
 * publishOnPostgres), and it commits only when the progress it finds ends just before its first
 * image. What has committed is always the images 1..published_through, as with one connection.
 */
const PUBLISH_LANES = 2;
/** Pools this small keep their connections for requests: one lane. */
const MIN_POOL_FOR_LANES = 4;

/**
 * The transaction lock (int8 advisory key) step `n` of an import holds while it runs: the step
 * after it waits for it before taking the import's row lock. Import ids in the high 32 bits, so
 * never the migrations' key (a 32-bit hash).
 */
const stepLock = (importId: number, n: number): string =>
  (BigInt(importId) * 2n ** 32n + BigInt(n)).toString();

/** A step that did not find the progress it follows: rolled back, nothing of it kept. */
class OutOfOrder extends Error {}

interface Lane {
  client: pg.PoolClient;
  k: ReturnType<typeof kyselyOnClient>;
  stage: Stage;
}

export const publishOnPostgres = async (
  pool: pg.Pool,
  importId: number,
  opts: { targetMs: number; firstRows: number; pause: () => Promise<void> },
): Promise<{ outcome: PublishOutcome; imp?: ImportRow }> => {
  const client = await pool.connect();
  const k = kyselyOnClient(client);
  const lanes: Lane[] = [];
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
    lanes.push({ client, k, stage: openStage(imp.stage_file) });
    if (PUBLISH_LANES > 1 && (pool.options.max ?? 10) >= MIN_POOL_FOR_LANES) {
      const second = await pool.connect();
      lanes.push({ client: second, k: kyselyOnClient(second), stage: openStage(imp.stage_file) });
    }
    const rowsOf = (lanes[0] as Lane).stage.rowsOf(imp.published_through);
    let target = opts.firstRows;
    let i = 0;
    let seq = imp.published_through;
    let steps = 0;
    /** The next step's images (seq from..to), sized by the current target, and its number. */
    const nextRange = (): { from: number; to: number; n: number } | undefined => {
      if (i >= rowsOf.length) return undefined;
      const from = seq + 1;
      let rows = 0;
      while (i < rowsOf.length && (rows === 0 || rows + (rowsOf[i] ?? 0) <= target)) {
        rows += Math.max(rowsOf[i] ?? 0, 1);
        i++;
        seq++;
      }
      return { from, to: seq, n: steps++ };
    };
    /** One step on a lane: "done", or "gone" when the import's row went (its project was deleted). */
    const step = async (lane: Lane, from: number, to: number, n: number): Promise<"done" | "gone"> => {
      const t0 = performance.now();
      let waited = 0;
      const outcome = await lane.k.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${stepLock(importId, n)}::bigint)`.execute(trx);
        // Waits for the step before to end (its lock goes with its transaction), once: before the
        // step's first write to a row the step before may be writing too (image_status_counts:
        // publishRange), and so before the import's row lock (taken ahead of it, that would find
        // the progress short and the whole step be done again). A wait the database sees: a
        // deadlock through it is found and broken.
        let turn: Promise<void> | null = null;
        const waitTurn = () => {
          turn ??= (async () => {
            if (n === 0) return;
            const w0 = performance.now();
            await sql`SELECT pg_advisory_xact_lock(${stepLock(importId, n - 1)}::bigint)`.execute(trx);
            waited = performance.now() - w0;
          })();
          return turn;
        };
        await publishRange(trx, lane.client, lane.stage, imp, created, from, to, waitTurn);
        await waitTurn();
        const through = await importRepo.lockProgress(trx, imp.id, "postgres");
        if (through === undefined) return "gone" as const;
        if (through !== from - 1) throw new OutOfOrder(`step ${from}..${to} found progress ${through}`);
        await importRepo.setProgress(trx, imp.id, to);
        return "done" as const;
      });
      const ms = performance.now() - t0 - waited;
      if (ms > 2 * opts.targetMs) target = Math.max(100, Math.floor(target / 2));
      else if (ms < opts.targetMs / 2) target = Math.min(100_000, Math.floor(target * 1.5));
      return outcome;
    };
    // Each lane takes the next range when its step ends; a lane's step that fails (a step behind
    // it that failed, or a clash of two steps over one image) is tried again alone, after the
    // other lane's step, before the error stands.
    let gone = false;
    let failed: unknown;
    let running: Promise<void> = Promise.resolve();
    const runLane = async (lane: Lane, before: () => Promise<void>): Promise<void> => {
      for (;;) {
        if (gone || failed !== undefined) return;
        const range = nextRange();
        if (!range) return;
        const prior = running;
        let mine!: () => void;
        running = new Promise<void>((r) => {
          mine = r;
        });
        try {
          let outcome: "done" | "gone";
          try {
            outcome = await step(lane, range.from, range.to, range.n);
          } catch {
            await prior;
            if (gone || failed !== undefined) return;
            outcome = await step(lane, range.from, range.to, range.n);
          }
          if (outcome === "gone") gone = true;
        } catch (err) {
          failed ??= err;
        } finally {
          mine();
        }
        await before();
      }
    };
    await Promise.all(lanes.map((lane) => runLane(lane, opts.pause)));
    if (failed !== undefined) throw failed;
    if (gone) return { outcome: "gone" };
    const last = await k.transaction().execute((trx) => importRepo.finish(trx, imp));
    return { outcome: last ? "published" : "gone", imp };
  } finally {
    for (const lane of lanes) lane.stage.close();
    for (const lane of lanes.slice(1)) {
      lane.client.release();
      await lane.k.destroy();
    }
    if (locked)
      await sql`SELECT pg_advisory_unlock(${PUBLISH_LOCK_NAMESPACE}::int, ${importId}::int)`
        .execute(k)
        .catch(() => {});
    client.release();
    await k.destroy();
  }
};
