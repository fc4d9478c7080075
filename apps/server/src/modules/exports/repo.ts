import type { ExportImage, ExportItem, ExportShape, PlannedImage, SplitName } from "@labelbench/formats";
import type { AttributeValues, ExportQuery, Geometry, ImageStatus } from "@labelbench/schema";
import Database from "better-sqlite3";
import type { Selectable } from "kysely";
import type { z } from "zod";
import type { Db } from "../../db/database.js";
import type { Database as Schema } from "../../db/schema.js";

/**
 * What an export reads, one snapshot of one project, behind one synchronous interface (the
 * encoders pull shapes from plain iterators): on SQLite a read-only connection on the file
 * (`sqliteExportReader`), on PostgreSQL a REPEATABLE READ transaction with server-side cursors
 * served on the main thread (`pgExportReader`, export-pg-bridge.ts; export-pg-reader.ts).
 */
/** A label as an export reads it: `attributes` is its definitions' JSON text (labels.attributes). */
export interface ExportLabelRow {
  id: number;
  name: string;
  attributes: string;
  /** Where the label applies (labels.scope): the classification exports list the tag labels. */
  scope: string;
}

export interface ExportReader {
  labels(): ExportLabelRow[];
  /** Image metadata only (no annotations), in id order, with tags as label indices. */
  images(labelIndex: ReadonlyMap<number, number>): PlanRow[];
  /** The plan's images (of `split`, else all) with their shapes, in plan order. */
  items(
    plan: readonly PlannedImage[],
    labelIndex: ReadonlyMap<number, number>,
    split?: SplitName,
  ): Iterable<ExportItem>;
  /** Ends the snapshot (and its connection). */
  close(): void;
}

export interface Snapshot {
  db: Db;
  close: () => void;
}

/**
 * A read-only connection to the database file holding one read transaction for the whole export:
 * every query of the export sees the same snapshot (WAL), and the main connection stays free for
 * editors' saves while the export streams (an open `.iterate()` cursor, or a transaction, would
 * block writes on it). The export worker opens its own with this.
 */
export const openSnapshotAt = (file: string): Snapshot => {
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  reader.pragma("busy_timeout = 5000");
  reader.exec("BEGIN");
  return {
    db: reader,
    close: () => {
      if (reader.inTransaction) reader.exec("COMMIT");
      reader.close();
    },
  };
};

/** A snapshot beside `db`; an in-memory database (no file to open twice) is read as it is. */
export const openSnapshot = (db: Db): Snapshot =>
  db.memory ? { db, close: () => undefined } : openSnapshotAt(db.name);

const NO_TAGS: readonly number[] = Object.freeze([]);

/** Images per annotation query at most: 256 ids stay well under SQLite's parameter limit. */
const IMAGES_PER_QUERY = 256;
/**
 * Annotations per query at most (an image with more is read alone): what bounds the export's
 * memory. 256 images at a time held 256,000 shapes when each image had 1,000 (~350 MB peak RSS
 * for 1,000 images x 1,000 shapes, against ~235 MB for 100,000 x 10).
 */
export const ANNOTATIONS_PER_QUERY = 4096;

/**
 * A stored shape whose geometry is parsed only when an encoder reads it (COCO copies the text),
 * and whose uid is looked up only when asked for (encoders name shapes only in errors): reading a
 * million uids cost ~0.3 s of an export.
 */
export class StoredShape implements ExportShape {
  private parsed: Geometry | undefined;
  constructor(
    /** The annotation's row id (annotations.id), not its uid. */
    private readonly rowId: number,
    readonly labelIndex: number,
    readonly geometryJson: string,
    private readonly uidOf: (rowId: number) => string,
    /** The stored values' JSON (written in definition order from checked values), or null. */
    private readonly attributesJson: string | null = null,
  ) {}
  get id(): string {
    return this.uidOf(this.rowId);
  }
  get attributes(): AttributeValues | undefined {
    return this.attributesJson === null ? undefined : (JSON.parse(this.attributesJson) as AttributeValues);
  }
  get geometry(): Geometry {
    this.parsed ??= JSON.parse(this.geometryJson) as Geometry;
    return this.parsed;
  }
}

/**
 * Splits images (in order) into runs of at most `IMAGES_PER_QUERY` images and
 * `ANNOTATIONS_PER_QUERY` annotations, by their stored counts; an image with more annotations than
 * that is a run of its own. Yields `[start, end)` index ranges.
 */
export function* queryBatches(
  images: readonly { annotationCount?: number }[],
  limits = { images: IMAGES_PER_QUERY, annotations: ANNOTATIONS_PER_QUERY },
): Generator<[number, number]> {
  let start = 0;
  while (start < images.length) {
    let end = start;
    let annotations = 0;
    while (end < images.length && end - start < limits.images) {
      const count = images[end]?.annotationCount ?? 0;
      if (end > start && annotations + count > limits.annotations) break;
      annotations += count;
      end++;
    }
    yield [start, end];
    start = end;
  }
}

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

export interface PlanRow extends ExportImage {
  byteSize: number;
}

/** The image columns an export reads, as both dialects return them. */
export const IMAGE_COLUMNS = [
  "id",
  "file_name",
  "width",
  "height",
  "channels",
  "sha256",
  "format",
  "byte_size",
  "annotation_count",
] as const;
export type ImageRow = Pick<Selectable<Schema["images"]>, (typeof IMAGE_COLUMNS)[number]> & {
  /** A dataset version's frozen split (version_images.split), when it froze one. */
  split?: string | null;
};

/**
 * What an export reads: the live project, or a dataset version's frozen rows (issue 17,
 * migration 0018), which keep the live ids, columns and order so the same plan and encoders give
 * the same bytes every time.
 */
export type ExportScope = { kind: "live" } | { kind: "version"; versionId: number };
export const LIVE: ExportScope = { kind: "live" };

const isSplit = (s: string | null | undefined): s is SplitName =>
  s === "train" || s === "val" || s === "test";

/**
 * Image rows (in id order) and their tags as the plan's rows, tags as sorted label indices.
 *
 * The plan holds the tag lists to the end of the export. Most tagged images carry one tag: those
 * share one frozen list per label instead of a list each, which cost ~180 bytes an image (an
 * array pushed to from empty reserves 16 slots): ~6 MB of a 100k-image export with a third of
 * its images tagged.
 */
export const planRows = (
  images: Iterable<ImageRow>,
  tagRows: Iterable<{ imageId: number; labelId: number }>,
  labelIndex: ReadonlyMap<number, number>,
): PlanRow[] => {
  const single: (readonly number[])[] = [];
  const tags = new Map<number, readonly number[]>();
  for (const t of tagRows) {
    const idx = labelIndex.get(t.labelId);
    if (idx === undefined) continue;
    const had = tags.get(t.imageId);
    if (had === undefined) {
      let list = single[idx];
      if (!list) {
        list = Object.freeze([idx]);
        single[idx] = list;
      }
      tags.set(t.imageId, list);
    } else
      tags.set(
        t.imageId,
        [...had, idx].sort((a, b) => a - b),
      );
  }
  const out: PlanRow[] = [];
  for (const r of images) {
    out.push({
      id: r.id,
      fileName: r.file_name,
      width: r.width,
      height: r.height,
      channels: r.channels,
      sha256: r.sha256,
      format: r.format,
      tags: tags.get(r.id) ?? NO_TAGS,
      byteSize: r.byte_size,
      annotationCount: r.annotation_count,
      ...(isSplit(r.split) ? { split: r.split } : {}),
    });
  }
  return out;
};

/** Which images an export takes by review state (issue 15): `any`, `accepted`, `done`. */
export type ExportReview = z.output<typeof ExportQuery>["review"];

/**
 * The review filter as an SQL condition on the images table named `t` (constant text, both
 * dialects): `accepted` is an acceptance that still covers the stored annotations (not stale: an
 * edit since moves the revision past it); `done` adds images submitted and not selected for review.
 */
export const reviewCondition = (review: ExportReview, t: string): string => {
  const accepted = `(${t}.review_state = 'accepted' AND ${t}.decided_revision = ${t}.revision)`;
  switch (review) {
    case "any":
      return "1 = 1";
    case "accepted":
      return accepted;
    case "done":
      return `(${accepted} OR ${t}.review_state = 'unreviewed')`;
  }
};

/** The SQL an export runs on SQLite, for the live tables or a version's frozen copies. */
const sqliteQueries = (scope: ExportScope, statusSql: string) => {
  if (scope.kind === "live")
    return {
      labels: "SELECT id, name, attributes, scope FROM labels WHERE project_id = ? ORDER BY position, id",
      tags: `SELECT t.image_id AS imageId, t.label_id AS labelId FROM image_tags t JOIN images i ON i.id = t.image_id
           WHERE i.project_id = ? AND ${statusSql}`,
      images: `SELECT id, file_name, width, height, channels, sha256, format, byte_size, annotation_count FROM images i
           WHERE i.project_id = ? AND ${statusSql} ORDER BY id`,
      shapes: (n: number) =>
        `SELECT image_id, id, label_id, geometry, attributes FROM annotations WHERE image_id IN (${placeholders(n)})
               ORDER BY image_id, position, id`,
      uid: "SELECT uid FROM annotations WHERE id = ?",
    };
  // The version's rows keep the live ids: the same order, names and splits come out.
  return {
    labels:
      "SELECT label_id AS id, name, attributes, scope FROM version_labels WHERE version_id = ? ORDER BY position, label_id",
    tags: `SELECT t.image_id AS imageId, t.label_id AS labelId FROM version_image_tags t
           JOIN version_images i ON i.version_id = t.version_id AND i.image_id = t.image_id
           WHERE i.version_id = ? AND ${statusSql}`,
    images: `SELECT image_id AS id, file_name, width, height, channels, sha256, format, byte_size, annotation_count, split
           FROM version_images i WHERE i.version_id = ? AND ${statusSql} ORDER BY image_id`,
    shapes: (n: number) =>
      `SELECT image_id, id, label_id, geometry, attributes FROM version_annotations WHERE version_id = ? AND image_id IN (${placeholders(n)})
               ORDER BY image_id, position, id`,
    // Read only to name a shape in an error: a walk of the version's rows is fine there.
    uid: "SELECT uid FROM version_annotations WHERE version_id = ? AND id = ?",
  };
};

/** The SQLite reader: synchronous better-sqlite3 statements over a snapshot's connection. */
export const exportRepo = (
  db: Db,
  projectId: number,
  statuses: readonly ImageStatus[],
  review: ExportReview = "any",
  scope: ExportScope = LIVE,
) => {
  const statusSql = `i.status IN (${placeholders(statuses.length)}) AND ${reviewCondition(review, "i")}`;
  const q = sqliteQueries(scope, statusSql);
  // Every query's first parameter: the project, or the version whose rows are read.
  const owner = scope.kind === "live" ? [projectId] : [scope.versionId];
  const versionArg = scope.kind === "live" ? [] : [scope.versionId];
  return {
    labels: (): ExportLabelRow[] => db.prepare(q.labels).all(...owner) as ExportLabelRow[],

    images: (labelIndex: ReadonlyMap<number, number>): PlanRow[] => {
      const tagRows = db.prepare(q.tags).iterate(...owner, ...statuses) as IterableIterator<{
        imageId: number;
        labelId: number;
      }>;
      const rows = db.prepare(q.images).iterate(...owner, ...statuses) as IterableIterator<ImageRow>;
      return planRows(rows, tagRows, labelIndex);
    },

    /**
     * Streams the plan's images with their shapes, a chunk of images per query: `image_id IN
     * (…256 ids)` walks the image_id index for just those images (one query per image cost
     * ~20 µs of call overhead each: 2 s at 100k images; one query over the whole project would
     * sort every annotation in a temp B-tree, 3 s per pass at 1M rows, and COCO reads the
     * project once per split). Rows come back as arrays, and each geometry stays text until an
     * encoder asks for the parsed value.
     */
    *items(
      plan: readonly PlannedImage[],
      labelIndex: ReadonlyMap<number, number>,
      split?: SplitName,
    ): Generator<ExportItem> {
      const statements = new Map<number, ReturnType<Db["prepare"]>>();
      type Row = [imageId: number, id: number, labelId: number, geometry: string, attributes: string | null];
      const uidStatement = db.prepare(q.uid).pluck();
      const uidOf = (id: number) => String(uidStatement.get(...versionArg, id));
      const shapesOf = (n: number) => {
        let st = statements.get(n);
        if (!st) {
          st = db.prepare(q.shapes(n)).raw(true);
          statements.set(n, st);
        }
        return st;
      };
      const wanted = split ? plan.filter((p) => p.split === split) : plan;
      for (const [start, end] of queryBatches(wanted)) {
        const chunk = wanted.slice(start, end);
        const ids = chunk.map((image) => image.id);
        const rows = shapesOf(ids.length).all([...versionArg, ...ids]) as Row[];
        let r = 0;
        // The plan is in id order and so are the rows: one merge walk pairs them.
        for (const image of chunk) {
          const shapes: ExportShape[] = [];
          for (; r < rows.length && (rows[r] as Row)[0] === image.id; r++) {
            const [, id, labelId, geometry, attributes] = rows[r] as Row;
            const labelIdx = labelIndex.get(labelId);
            if (labelIdx === undefined)
              throw new Error(`annotation ${uidOf(id)} has label ${labelId} outside the project`);
            shapes.push(new StoredShape(id, labelIdx, geometry, uidOf, attributes));
          }
          yield { image, shapes };
        }
        if (r !== rows.length) throw new Error("annotation rows out of image order in an export query");
      }
    },
  };
};

/** The SQLite side of `ExportReader`: `exportRepo` over a snapshot, which `close` ends. */
export const sqliteExportReader = (
  snapshot: Snapshot,
  projectId: number,
  statuses: readonly ImageStatus[],
  review: ExportReview = "any",
  scope: ExportScope = LIVE,
): ExportReader => ({
  ...exportRepo(snapshot.db, projectId, statuses, review, scope),
  close: snapshot.close,
});
