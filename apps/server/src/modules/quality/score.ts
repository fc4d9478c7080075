import {
  confusionOf,
  type ImageAnnotations,
  type ImageMatch,
  type MatchOptionsInput,
  matchImage,
  totalsOfMatch,
} from "@labelbench/quality";
import type { Geometry, Id } from "@labelbench/schema";
import type { Kysely, Transaction } from "kysely";
import type { Dialect } from "../../db/connect.js";
import type { Executor } from "../../db/executor.js";
import type { Database } from "../../db/schema.js";
import * as repo from "./score-repo.js";
import { weekOf } from "./week.js";

export interface ScoreDeps {
  sql: Kysely<Database>;
  dialect: Dialect;
  now: () => string;
}

/** A shape with its client id, as both sides of a comparison are kept (the drill-down names shapes). */
export interface SourceShape {
  uid: string;
  labelId: Id;
  geometry: Geometry;
}
export interface SourceSet {
  shapes: SourceShape[];
  tags: Id[];
}

/** What a stored copy's `shapes` JSON holds (the annotation rows' fields; only these are read). */
interface StoredCopyShape {
  uid: string;
  labelId: Id;
  geometry: Geometry;
}

export const copySet = (c: Pick<repo.CopyRow, "shapes" | "tags">): SourceSet => ({
  shapes: (JSON.parse(c.shapes) as StoredCopyShape[]).map((s) => ({
    uid: s.uid,
    labelId: s.labelId,
    geometry: s.geometry,
  })),
  tags: JSON.parse(c.tags) as Id[],
});

const referenceSet = (rows: readonly repo.ReferenceShapeRow[], tags: Id[]): SourceSet => ({
  shapes: rows.map((s) => ({
    uid: s.uid,
    labelId: s.label_id,
    geometry: JSON.parse(s.geometry) as Geometry,
  })),
  tags,
});

/** Rows grouped by image id (rows come ordered within each image). */
const byImage = <T extends { image_id: number }>(rows: readonly T[]): Map<number, T[]> => {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const list = out.get(r.image_id);
    if (list) list.push(r);
    else out.set(r.image_id, [r]);
  }
  return out;
};

const asAnnotations = (s: SourceSet): ImageAnnotations => ({ shapes: s.shapes, tags: s.tags });

/** The match options a project's preset names ('default' when it has no quality settings). */
export const presetOf = (preset: string | null): MatchOptionsInput =>
  preset === "cvat" ? "cvat" : "default";

/** The copy purposes measured against a gold image's reference. */
const GOLD_PURPOSES = new Set(["gold", "qualification"]);

type Comparison = {
  kind: "gold" | "overlap";
  checkedUserId: number;
  referenceKey: number;
  checkedAt: string;
  match: ImageMatch;
};

/**
 * Every comparison one image's sources give (audits are recorded by the audit itself and kept):
 * - gold: each submitted gold or qualification copy against the image's own annotations, while the
 *   image is gold (`reference_key` 0);
 * - overlap: each unordered pair of submitted overlap copies, once: the lower user id's copy is
 *   the checked side, the higher's the reference (`reference_key`). F1 and agreement are the same
 *   either way round; precision and recall trade places.
 */
export const comparisonsOf = (
  image: repo.ScoredImage,
  reference: SourceSet | null,
  copies: readonly repo.CopyRow[],
  now: string,
): Comparison[] => {
  const options = presetOf(image.match_preset);
  const out: Comparison[] = [];
  if (image.gold !== null && reference) {
    const ref = asAnnotations(reference);
    for (const c of copies)
      if (GOLD_PURPOSES.has(c.purpose))
        out.push({
          kind: "gold",
          checkedUserId: c.user_id,
          referenceKey: 0,
          checkedAt: c.submitted_at ?? now,
          match: matchImage(ref, asAnnotations(copySet(c)), options),
        });
  }
  const overlap = copies.filter((c) => c.purpose === "overlap").sort((a, b) => a.user_id - b.user_id);
  const sets = overlap.map((c) => asAnnotations(copySet(c)));
  for (let i = 0; i < overlap.length; i++)
    for (let j = i + 1; j < overlap.length; j++) {
      const a = overlap[i]!;
      const b = overlap[j]!;
      const at = [a.submitted_at ?? now, b.submitted_at ?? now].sort()[1]!;
      out.push({
        kind: "overlap",
        checkedUserId: a.user_id,
        referenceKey: b.user_id,
        checkedAt: at,
        match: matchImage(sets[j]!, sets[i]!, options),
      });
    }
  return out;
};

const rowOf = (imageId: number, projectId: number, c: Comparison, now: string): repo.ResultValues => {
  const t = totalsOfMatch(c.match);
  return {
    project_id: projectId,
    image_id: imageId,
    kind: c.kind,
    checked_user_id: c.checkedUserId,
    reference_key: c.referenceKey,
    tp: t.tp,
    fp: t.fp,
    fn: t.fn,
    mismatched: t.mismatched,
    low_overlap: t.lowOverlap,
    iou_sum: t.iouSum,
    iou_sq_sum: t.iouSqSum,
    tag_tp: t.tagTp,
    tag_fp: t.tagFp,
    tag_fn: t.tagFn,
    confusion: JSON.stringify(confusionOf([c.match]).map((x) => [x.reference, x.checked, x.count])),
    checked_at: c.checkedAt,
    week: weekOf(c.checkedAt),
    computed_at: now,
  };
};

const keyOf = (r: { kind: string; checked_user_id: number; reference_key: number }) =>
  `${r.kind}:${r.checked_user_id}:${r.reference_key}`;

const MEASURED = ["tp", "fp", "fn", "mismatched", "low_overlap", "tag_tp", "tag_fp", "tag_fn"] as const;
const sameResult = (a: repo.ResultValues, b: repo.ResultValues) =>
  MEASURED.every((k) => a[k] === b[k]) &&
  a.confusion === b.confusion &&
  a.checked_at === b.checked_at &&
  a.week === b.week &&
  Math.abs(a.iou_sum - b.iou_sum) < 1e-9 &&
  Math.abs(a.iou_sq_sum - b.iou_sq_sum) < 1e-9;

export interface ScoreOutcome {
  images: number;
  /** Comparisons the images have now (gold and overlap). */
  comparisons: number;
  inserted: number;
  updated: number;
  deleted: number;
}

/**
 * Scores a batch of images in the caller's transaction: the sources are read with one query per
 * table for the whole batch (rescoring a project is thousands of images, not thousands of round
 * trips each), then each image's rows are inserted, updated or deleted.
 */
const scoreIn = async (tx: Executor, deps: ScoreDeps, imageIds: readonly number[]): Promise<ScoreOutcome> => {
  const outcome: ScoreOutcome = { images: 0, comparisons: 0, inserted: 0, updated: 0, deleted: 0 };
  if (imageIds.length === 0) return outcome;
  const images = await repo.scoredImages(tx, imageIds, deps.dialect === "postgres");
  if (images.length === 0) return outcome;
  const ids = images.map((i) => i.id);
  const now = deps.now();
  const copies = byImage(await repo.submittedCopies(tx, ids));
  const goldIds = images
    .filter((i) => i.gold !== null && copies.get(i.id)?.some((c) => GOLD_PURPOSES.has(c.purpose)))
    .map((i) => i.id);
  const goldSet = new Set(goldIds);
  const refs = await repo.referencesOf(tx, goldIds);
  const refShapes = byImage(refs.shapes);
  const refTags = byImage(refs.tags);
  const old = byImage((await repo.resultsOfImages(tx, ids)).filter((r) => r.kind !== "audit"));
  const inserts: repo.ResultValues[] = [];
  const gone: number[] = [];
  for (const image of images) {
    const reference = goldSet.has(image.id)
      ? referenceSet(
          refShapes.get(image.id) ?? [],
          (refTags.get(image.id) ?? []).map((t) => t.label_id),
        )
      : null;
    const fresh = comparisonsOf(image, reference, copies.get(image.id) ?? [], now).map((c) =>
      rowOf(image.id, image.project_id, c, now),
    );
    const oldByKey = new Map((old.get(image.id) ?? []).map((r) => [keyOf(r), r]));
    for (const row of fresh) {
      const was = oldByKey.get(keyOf(row));
      oldByKey.delete(keyOf(row));
      if (!was) inserts.push(row);
      else if (!sameResult(was, row)) {
        await repo.updateResult(tx, was.id, row);
        outcome.updated++;
      }
    }
    for (const r of oldByKey.values()) gone.push(r.id);
    outcome.images++;
    outcome.comparisons += fresh.length;
  }
  await repo.deleteResults(tx, gone);
  await repo.insertResults(tx, inserts);
  outcome.inserted = inserts.length;
  outcome.deleted = gone.length;
  return outcome;
};

const inTransaction = <T>(ex: Executor, work: (tx: Executor) => Promise<T>): Promise<T> =>
  ex.isTransaction
    ? work(ex)
    : (ex as Kysely<Database>).transaction().execute((tx: Transaction<Database>) => work(tx));

/**
 * Recomputes every gold and overlap comparison of one image from its sources with `matchImage`
 * and writes the image's quality_results rows (insert, update, delete) in one transaction — the
 * caller's, when `ex` is one (a copy's submission), else its own. Call it after a copy is
 * submitted, after a gold image's reference is saved, after the image's gold flag changes. Returns
 * null for an image that does not exist.
 */
export const scoreImage = async (
  deps: ScoreDeps,
  imageId: number,
  ex: Executor = deps.sql,
): Promise<ScoreOutcome | null> => {
  const outcome = await inTransaction(ex, (tx) => scoreIn(tx, deps, [imageId]));
  return outcome.images === 0 ? null : outcome;
};

/** Images scored per transaction when a whole project is scored again. */
const RESCORE_BATCH = 500;

/**
 * Scores every image of a project again (after its match preset changed, or to rebuild the
 * results), a batch of images per transaction.
 */
export const scoreProject = async (deps: ScoreDeps, projectId: number): Promise<ScoreOutcome> => {
  const ids = await repo.imagesToScore(deps.sql, projectId);
  const total: ScoreOutcome = { images: 0, comparisons: 0, inserted: 0, updated: 0, deleted: 0 };
  for (let i = 0; i < ids.length; i += RESCORE_BATCH) {
    const o = await inTransaction(deps.sql, (tx) => scoreIn(tx, deps, ids.slice(i, i + RESCORE_BATCH)));
    for (const k of Object.keys(total) as (keyof ScoreOutcome)[]) total[k] += o[k];
  }
  return total;
};
