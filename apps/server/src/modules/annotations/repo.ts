import type { Annotation, AnnotationSet, AttributeValues, Geometry } from "@labelbench/schema";
import { CompiledQuery, sql } from "kysely";
import type { Executor } from "../../db/executor.js";
import { revisionOf, saved } from "../images/image-changes-repo.js";
import type { StoredRow } from "./set-json.js";

/** What set-json reads, plus the shape's place in the set. */
type AnnotationRow = StoredRow & { position: number };

export interface StoredAnnotation {
  uid: string;
  /** Index in the image's list when read back; ignored when writing (the array order decides). */
  position?: number;
  labelId: number;
  geometryJson: string;
  /** The attribute values as JSON (definition order), or null for none. Absent: null. */
  attributesJson?: string | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  /** The prediction (issue 17) the shape was accepted from; written by modules/predictions/link.ts. */
  predictionId?: number | null;
}

const toAnnotation = (r: AnnotationRow): Annotation => ({
  id: r.uid,
  labelId: r.label_id,
  geometry: JSON.parse(r.geometry) as Geometry,
  createdBy: r.created_by,
  updatedBy: r.updated_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  ...(r.prediction_id === null || r.prediction_id === undefined ? {} : { predictionId: r.prediction_id }),
  ...(r.attributes === null ? {} : { attributes: JSON.parse(r.attributes) as AttributeValues }),
});

const toStored = (r: AnnotationRow): StoredAnnotation => ({
  uid: r.uid,
  position: r.position,
  labelId: r.label_id,
  geometryJson: r.geometry,
  attributesJson: r.attributes,
  createdBy: r.created_by,
  updatedBy: r.updated_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  predictionId: r.prediction_id ?? null,
});

const COLUMNS = [
  "uid",
  "label_id",
  "geometry",
  "position",
  "created_by",
  "updated_by",
  "created_at",
  "updated_at",
  "prediction_id",
  "attributes",
] as const;

/**
 * Rows per multi-row statement: 9 parameters a row stays far below SQLite's 32,766 and PostgreSQL's
 * 65,535 bound parameters, and a 10,000-shape save is 20 statements, not 10,000 round trips.
 */
const BATCH = 500;
const batches = <T>(items: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
};

/** The image an annotation set belongs to: its project (for the label set) and size (for geometry). */
export const imageOf = async (ex: Executor, imageId: number) =>
  (await ex
    .selectFrom("images")
    .select(["id", "project_id", "width", "height"])
    .where("id", "=", imageId)
    .executeTakeFirst()) ?? null;

const rowsOf = (ex: Executor, imageId: number): Promise<AnnotationRow[]> =>
  ex.selectFrom("annotations").select(COLUMNS).where("image_id", "=", imageId).orderBy("position").execute();

/** Tag label ids in label-set order. */
export const tagsOf = async (ex: Executor, imageId: number): Promise<number[]> =>
  (
    await ex
      .selectFrom("image_tags as t")
      .innerJoin("labels as l", "l.id", "t.label_id")
      .select("t.label_id")
      .where("t.image_id", "=", imageId)
      .orderBy("l.position")
      .orderBy("l.id")
      .execute()
  ).map((t) => t.label_id);

/** Callers check the image exists first, so a revision is always there. */
const currentRevision = async (ex: Executor, imageId: number): Promise<number> =>
  (await revisionOf(ex, imageId)) ?? 0;

/**
 * The revision is read before the rows: a save landing in between pairs newer rows with an older
 * revision, and a save based on that revision is refused as a conflict, never applied over the
 * newer set (the reverse pairing could lose that save).
 */
const readSet = async (ex: Executor, imageId: number) => {
  const revision = await currentRevision(ex, imageId);
  const rows = await rowsOf(ex, imageId);
  const tags = await tagsOf(ex, imageId);
  return { revision, rows, tags };
};

export const getSet = async (ex: Executor, imageId: number): Promise<AnnotationSet> => {
  const { revision, rows, tags } = await readSet(ex, imageId);
  return { imageId, revision, annotations: rows.map(toAnnotation), tags };
};

/** The rows as stored (geometry as JSON text), for replies spliced without parsing (set-json.ts). */
export const rawSet = readSet;

export const storedSet = async (ex: Executor, imageId: number): Promise<Map<string, StoredAnnotation>> =>
  new Map((await rowsOf(ex, imageId)).map((r) => [r.uid, toStored(r)]));

/** The stored rows of these uids only (missing ones are absent from the map). */
export const storedOf = async (
  ex: Executor,
  imageId: number,
  uids: readonly string[],
): Promise<Map<string, StoredAnnotation>> => {
  const out = new Map<string, StoredAnnotation>();
  for (const part of batches(uids)) {
    const rows = await ex
      .selectFrom("annotations")
      .select(COLUMNS)
      .where("image_id", "=", imageId)
      .where("uid", "in", part)
      .execute();
    for (const r of rows) out.set(r.uid, toStored(r));
  }
  return out;
};

/** Whether the image has a stored shape with this uid. */
export const has = async (ex: Executor, imageId: number, uid: string): Promise<boolean> =>
  (await positionOf(ex, imageId, uid)) !== undefined;

const positionOf = async (ex: Executor, imageId: number, uid: string): Promise<number | undefined> =>
  (
    await ex
      .selectFrom("annotations")
      .select("position")
      .where("image_id", "=", imageId)
      .where("uid", "=", uid)
      .executeTakeFirst()
  )?.position;

/** Whether `ex` runs on PostgreSQL (its placeholders are $1, SQLite's ?). */
const onPostgres = (ex: Executor): boolean =>
  ex.selectFrom("images").select("id").where("id", "=", 0).compile().sql.includes("$1");

/*
 * Writes of many rows on PostgreSQL take each column as one array parameter (`unnest`): one
 * statement however many rows, planned in well under a millisecond. The 500-row statements SQLite
 * runs cost PostgreSQL ~20 ms of planning each (3,000 parameters), and each UPDATE batch hashed
 * all of the image's rows again: a 10,000-shape save spent most of its time there
 * (bench/profile-put.ts; docs/benchmarks.md).
 */
const PG_DELETE = "DELETE FROM annotations WHERE image_id = $1 AND uid = ANY($2::text[])";
const PG_INSERT = `INSERT INTO annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at, attributes)
  SELECT $1, v.* FROM unnest($2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS v`;
const PG_UPDATE = `UPDATE annotations AS a SET label_id = v.label_id, geometry = v.geometry, position = v.position,
    updated_by = v.updated_by, updated_at = v.updated_at, attributes = v.attributes
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
    AS v(uid, label_id, geometry, position, updated_by, updated_at, attributes)
  WHERE a.image_id = $8 AND a.uid = v.uid`;

const deleteUids = async (ex: Executor, imageId: number, uids: readonly string[]) => {
  if (uids.length > 0 && onPostgres(ex)) {
    await ex.executeQuery(CompiledQuery.raw(PG_DELETE, [imageId, uids]));
    return;
  }
  for (const part of batches(uids))
    await ex.deleteFrom("annotations").where("image_id", "=", imageId).where("uid", "in", part).execute();
};

/**
 * A batch statement's text, compiled once per placeholder style ($1 or ?) and row count: building
 * and compiling a 500-row statement's syntax tree each time cost more than running it.
 */
const batchTexts = new Map<string, string>();
const batchText = (ex: Executor, name: string, rows: number, compile: () => string): string => {
  const style = onPostgres(ex) ? "$" : "?";
  const key = `${name}:${style}:${rows}`;
  let text = batchTexts.get(key);
  if (text === undefined) {
    text = compile();
    batchTexts.set(key, text);
  }
  return text;
};

const INSERT_COLUMNS = [
  "image_id",
  "uid",
  "label_id",
  "geometry",
  "position",
  "created_by",
  "updated_by",
  "created_at",
  "updated_at",
  "attributes",
] as const;
const insertParams = (imageId: number, a: StoredAnnotation, position: number) => [
  imageId,
  a.uid,
  a.labelId,
  a.geometryJson,
  position,
  a.createdBy,
  a.updatedBy,
  a.createdAt,
  a.updatedAt,
  a.attributesJson ?? null,
];

const insertRows = async (ex: Executor, imageId: number, rows: readonly [StoredAnnotation, number][]) => {
  if (rows.length > 0 && onPostgres(ex)) {
    await ex.executeQuery(
      CompiledQuery.raw(PG_INSERT, [
        imageId,
        rows.map(([a]) => a.uid),
        rows.map(([a]) => a.labelId),
        rows.map(([a]) => a.geometryJson),
        rows.map(([, position]) => position),
        rows.map(([a]) => a.createdBy),
        rows.map(([a]) => a.updatedBy),
        rows.map(([a]) => a.createdAt),
        rows.map(([a]) => a.updatedAt),
        rows.map(([a]) => a.attributesJson ?? null),
      ]),
    );
    return;
  }
  for (const part of batches(rows)) {
    const text = batchText(ex, "insert", part.length, () => {
      const row = Object.fromEntries(INSERT_COLUMNS.map((c) => [c, c === "uid" ? "" : 0]));
      return ex
        .insertInto("annotations")
        .values(part.map(() => row as never))
        .compile().sql;
    });
    await ex.executeQuery(
      CompiledQuery.raw(
        text,
        part.flatMap(([a, position]) => insertParams(imageId, a, position)),
      ),
    );
  }
};

/**
 * Updates many rows in one statement: on PostgreSQL from arrays (PG_UPDATE), on SQLite one per
 * batch, UPDATE … FROM a VALUES list named by a CTE (SQLite 3.33+; PostgreSQL runs it too). The casts give PostgreSQL the integer columns' types
 * (a VALUES list of parameters is text there); SQLite reads them as INTEGER affinity.
 */
const updateRows = async (ex: Executor, imageId: number, rows: readonly [StoredAnnotation, number][]) => {
  if (rows.length > 0 && onPostgres(ex)) {
    await ex.executeQuery(
      CompiledQuery.raw(PG_UPDATE, [
        rows.map(([a]) => a.uid),
        rows.map(([a]) => a.labelId),
        rows.map(([a]) => a.geometryJson),
        rows.map(([, position]) => position),
        rows.map(([a]) => a.updatedBy),
        rows.map(([a]) => a.updatedAt),
        rows.map(([a]) => a.attributesJson ?? null),
        imageId,
      ]),
    );
    return;
  }
  for (const part of batches(rows)) {
    const text = batchText(ex, "update", part.length, () => {
      const values = sql.join(
        part.map(() => sql`(${""}, CAST(${0} AS bigint), ${""}, CAST(${0} AS bigint), ${""}, ${""}, ${""})`),
      );
      return sql`WITH v(uid, label_id, geometry, position, updated_by, updated_at, attributes) AS (VALUES ${values})
      UPDATE annotations SET label_id = v.label_id, geometry = v.geometry, position = v.position,
        updated_by = v.updated_by, updated_at = v.updated_at, attributes = v.attributes
      FROM v WHERE annotations.image_id = ${0} AND annotations.uid = v.uid`.compile(ex).sql;
    });
    const params = part.flatMap(([a, position]) => [
      a.uid,
      a.labelId,
      a.geometryJson,
      position,
      a.updatedBy,
      a.updatedAt,
      a.attributesJson ?? null,
    ]);
    await ex.executeQuery(CompiledQuery.raw(text, [...params, imageId]));
  }
};

const changed = (old: StoredAnnotation, a: StoredAnnotation, position: number) =>
  old.labelId !== a.labelId ||
  old.geometryJson !== a.geometryJson ||
  (old.attributesJson ?? null) !== (a.attributesJson ?? null) ||
  old.position !== position;

const replaceTags = async (ex: Executor, imageId: number, tagIds: readonly number[]) => {
  await ex.deleteFrom("image_tags").where("image_id", "=", imageId).execute();
  if (tagIds.length > 0)
    await ex
      .insertInto("image_tags")
      .values(tagIds.map((label_id) => ({ image_id: imageId, label_id })))
      .execute();
};

/**
 * Makes the stored set equal to `items` (in that order), touching only rows that changed: an
 * autosave of a dense image usually moves one shape, so this is one UPDATE, not 2,000 writes; a
 * new set of 10,000 shapes is inserted 500 rows a statement (on PostgreSQL, in one). Callers run
 * it inside the transaction that claimed the revision (image-changes-repo.ts claimRevision), which
 * it completes.
 */
export const replaceSet = async (
  ex: Executor,
  imageId: number,
  before: ReadonlyMap<string, StoredAnnotation>,
  items: readonly StoredAnnotation[],
  tagIds: readonly number[],
  now: string,
  actorId: number | null = null,
) => {
  const keep = new Set(items.map((a) => a.uid));
  await deleteUids(
    ex,
    imageId,
    [...before.keys()].filter((uid) => !keep.has(uid)),
  );
  const inserts: [StoredAnnotation, number][] = [];
  const updates: [StoredAnnotation, number][] = [];
  items.forEach((a, i) => {
    const old = before.get(a.uid);
    if (!old) inserts.push([a, i]);
    else if (changed(old, a, i)) updates.push([a, i]);
  });
  await updateRows(ex, imageId, updates);
  await insertRows(ex, imageId, inserts);
  await replaceTags(ex, imageId, tagIds);
  await saved(ex, imageId, items.length, tagIds.length, now, actorId);
};

/**
 * Applies a patch: deletes, then updates in place (positions kept), then inserts: on top, or
 * just below the stored shape `placeBefore` names (an undone delete returns to its place; the
 * shapes above it move up one). `before` holds the stored rows of every upserted and deleted uid.
 * Callers run it inside the transaction that claimed the revision. Returns the new shape count.
 */
export const patchSet = async (
  ex: Executor,
  imageId: number,
  before: ReadonlyMap<string, StoredAnnotation>,
  upsert: readonly StoredAnnotation[],
  deletes: readonly string[],
  tagIds: readonly number[] | undefined,
  now: string,
  placeBefore: ReadonlyMap<string, string> = new Map(),
  actorId: number | null = null,
): Promise<number> => {
  // The image row's count is kept exact by every write, so a patch never counts the image's shapes.
  const { annotation_count: count } = await ex
    .selectFrom("images")
    .select("annotation_count")
    .where("id", "=", imageId)
    .executeTakeFirstOrThrow();
  await deleteUids(ex, imageId, deletes);
  // Walks the (image_id, position) index from its end: one step, whatever the image's shape count.
  const last = await ex
    .selectFrom("annotations")
    .select("position")
    .where("image_id", "=", imageId)
    .orderBy("position", "desc")
    .limit(1)
    .executeTakeFirst();
  let next = (last?.position ?? -1) + 1;
  let inserted = 0;
  // Writes are batched, but in the order the loop makes them: a placed insert shifts the rows
  // at and above its place, including those written before it.
  let updates: [StoredAnnotation, number][] = [];
  let appended: [StoredAnnotation, number][] = [];
  const flush = async () => {
    await updateRows(ex, imageId, updates);
    await insertRows(ex, imageId, appended);
    updates = [];
    appended = [];
  };
  for (const a of upsert) {
    const old = before.get(a.uid);
    const target = old ? undefined : placeBefore.get(a.uid);
    if (target !== undefined) await flush();
    const at = target === undefined ? undefined : await positionOf(ex, imageId, target);
    if (!old && at !== undefined) {
      await ex
        .updateTable("annotations")
        .set({ position: sql<number>`position + 1` })
        .where("image_id", "=", imageId)
        .where("position", ">=", at)
        .execute();
      await insertRows(ex, imageId, [[a, at]]);
      next++;
      inserted++;
    } else if (!old) {
      appended.push([a, next++]);
      inserted++;
    } else if (old.position !== undefined && changed(old, a, old.position)) {
      updates.push([a, old.position]);
    }
  }
  await flush();
  if (tagIds) await replaceTags(ex, imageId, tagIds);
  const total = count + inserted - deletes.length;
  const tags =
    tagIds?.length ??
    (
      await ex
        .selectFrom("image_tags")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("image_id", "=", imageId)
        .executeTakeFirstOrThrow()
    ).n;
  await saved(ex, imageId, total, Number(tags), now, actorId);
  return total;
};
