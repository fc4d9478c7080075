import type { Executor } from "../../db/executor.js";

/**
 * The scorer's SQL (score.ts): the sources of an image's comparisons — the image's own annotations
 * (a gold image's reference), the submitted private copies — and its rows of quality_results.
 * The totals the report reads follow quality_results by triggers (migration 0016).
 */

export interface ScoredImage {
  id: number;
  project_id: number;
  gold: string | null;
  match_preset: string | null;
}

/**
 * The image with its project's match preset. On PostgreSQL the image row is locked for the rest of
 * the transaction, so two scorings of one image (a copy submitted while the reference is saved)
 * run one after the other and the second sees what the first wrote; SQLite has one writer anyway.
 */
export const scoredImages = async (
  ex: Executor,
  imageIds: readonly number[],
  lock: boolean,
): Promise<ScoredImage[]> => {
  let q = ex
    .selectFrom("images as i")
    .leftJoin("project_quality as q", "q.project_id", "i.project_id")
    .select(["i.id", "i.project_id", "i.gold", "q.match_preset"])
    .where("i.id", "in", imageIds)
    .orderBy("i.id");
  if (lock) q = q.forUpdate("i");
  return q.execute();
};

export interface ReferenceShapeRow {
  image_id: number;
  uid: string;
  label_id: number;
  geometry: string;
}

/** The images' own annotations, each image's in their order, and their tags. */
export const referencesOf = async (ex: Executor, imageIds: readonly number[]) => {
  if (imageIds.length === 0) return { shapes: [], tags: [] };
  const shapes: ReferenceShapeRow[] = await ex
    .selectFrom("annotations")
    .select(["image_id", "uid", "label_id", "geometry"])
    .where("image_id", "in", imageIds)
    .orderBy("image_id")
    .orderBy("position")
    .execute();
  const tags = await ex
    .selectFrom("image_tags")
    .select(["image_id", "label_id"])
    .where("image_id", "in", imageIds)
    .execute();
  return { shapes, tags };
};

export interface CopyRow {
  image_id: number;
  user_id: number;
  purpose: string;
  shapes: string;
  tags: string;
  submitted_at: string | null;
}

/** The images' submitted private copies (an open copy is work in progress, not yet measured). */
export const submittedCopies = (
  ex: Executor,
  imageIds: readonly number[],
  userId?: number,
): Promise<CopyRow[]> => {
  let q = ex
    .selectFrom("image_copies")
    .select(["image_id", "user_id", "purpose", "shapes", "tags", "submitted_at"])
    .where("image_id", "in", imageIds)
    .where("state", "=", "submitted");
  if (userId !== undefined) q = q.where("user_id", "=", userId);
  return q.orderBy("image_id").orderBy("user_id").execute();
};

export interface ResultValues {
  project_id: number;
  image_id: number;
  kind: string;
  checked_user_id: number;
  reference_key: number;
  tp: number;
  fp: number;
  fn: number;
  mismatched: number;
  low_overlap: number;
  iou_sum: number;
  iou_sq_sum: number;
  tag_tp: number;
  tag_fp: number;
  tag_fn: number;
  confusion: string;
  checked_at: string;
  week: string;
  computed_at: string;
}

export type StoredResult = ResultValues & { id: number };

export const resultsOfImages = (ex: Executor, imageIds: readonly number[]): Promise<StoredResult[]> =>
  ex
    .selectFrom("quality_results")
    .select([
      "id",
      "project_id",
      "image_id",
      "kind",
      "checked_user_id",
      "reference_key",
      "tp",
      "fp",
      "fn",
      "mismatched",
      "low_overlap",
      "iou_sum",
      "iou_sq_sum",
      "tag_tp",
      "tag_fp",
      "tag_fn",
      "confusion",
      "checked_at",
      "week",
      "computed_at",
    ])
    .where("image_id", "in", imageIds)
    .execute() as Promise<StoredResult[]>;

export const insertResults = async (ex: Executor, rows: readonly ResultValues[]): Promise<void> => {
  // 19 values a row: 1,000 rows stay under both dialects' bound-parameter limits.
  for (let i = 0; i < rows.length; i += 1000)
    await ex
      .insertInto("quality_results")
      .values(rows.slice(i, i + 1000))
      .execute();
};

export const updateResult = async (ex: Executor, id: number, row: ResultValues): Promise<void> => {
  await ex.updateTable("quality_results").set(row).where("id", "=", id).execute();
};

export const deleteResults = async (ex: Executor, ids: readonly number[]): Promise<void> => {
  for (let i = 0; i < ids.length; i += 1000)
    await ex
      .deleteFrom("quality_results")
      .where("id", "in", ids.slice(i, i + 1000))
      .execute();
};

/** Every image of the project that has something to score or rows to drop, in id order. */
export const imagesToScore = async (ex: Executor, projectId: number): Promise<number[]> => {
  const rows = await ex
    .selectFrom("images")
    .select("id")
    .where("project_id", "=", projectId)
    .where((eb) =>
      eb.or([
        eb("gold", "is not", null),
        eb.exists(eb.selectFrom("image_copies as c").select("c.id").whereRef("c.image_id", "=", "images.id")),
        eb.exists(
          eb.selectFrom("quality_results as r").select("r.id").whereRef("r.image_id", "=", "images.id"),
        ),
      ]),
    )
    .orderBy("id")
    .execute();
  return rows.map((r) => r.id);
};
