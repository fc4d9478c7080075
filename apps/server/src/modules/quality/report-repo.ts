import type { Executor } from "../../db/executor.js";

/**
 * The QC report's SQL: the kept totals (quality_totals, quality_confusion_totals: a few rows per
 * annotator and week, migration 0016), the workflow's numbers beside them, and the comparisons
 * behind a count (quality_results).
 */

export interface Scope {
  projectId: number;
  kind: string;
  /** Only this checked annotator's rows. */
  userId?: number | undefined;
  /** Whole weeks, by their Monday: the first and last included. */
  fromWeek?: string | undefined;
  toWeek?: string | undefined;
}

export const matchPresetOf = async (ex: Executor, projectId: number): Promise<string | null> =>
  (
    await ex
      .selectFrom("project_quality")
      .select("match_preset")
      .where("project_id", "=", projectId)
      .executeTakeFirst()
  )?.match_preset ?? null;

export const totalsIn = (ex: Executor, s: Scope) => {
  let q = ex
    .selectFrom("quality_totals")
    .select([
      "checked_user_id",
      "reference_key",
      "week",
      "comparisons",
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
    ])
    .where("project_id", "=", s.projectId)
    .where("kind", "=", s.kind);
  if (s.userId !== undefined) q = q.where("checked_user_id", "=", s.userId);
  if (s.fromWeek) q = q.where("week", ">=", s.fromWeek);
  if (s.toWeek) q = q.where("week", "<=", s.toWeek);
  return q.execute();
};
export type TotalsRow = Awaited<ReturnType<typeof totalsIn>>[number];

export const confusionIn = (ex: Executor, s: Scope) => {
  let q = ex
    .selectFrom("quality_confusion_totals")
    .select(["checked_user_id", "reference_label_id", "checked_label_id", "n"])
    .where("project_id", "=", s.projectId)
    .where("kind", "=", s.kind);
  if (s.userId !== undefined) q = q.where("checked_user_id", "=", s.userId);
  if (s.fromWeek) q = q.where("week", ">=", s.fromWeek);
  if (s.toWeek) q = q.where("week", "<=", s.toWeek);
  return q.execute();
};
export type ConfusionRow = Awaited<ReturnType<typeof confusionIn>>[number];

/**
 * The workflow's numbers per person (quality_work_totals, kept by triggers on review_events,
 * image_copies and editor_activity): focused seconds, first submissions, copies submitted and the
 * decisions on their work.
 */
export const workTotalsIn = async (ex: Executor, s: Omit<Scope, "kind">) => {
  let q = ex
    .selectFrom("quality_work_totals")
    .select((eb) => [
      "user_id",
      eb.fn.sum<number>("active_seconds").as("active_seconds"),
      eb.fn.sum<number>("images_submitted").as("images_submitted"),
      eb.fn.sum<number>("copies_submitted").as("copies_submitted"),
      eb.fn.sum<number>("decisions").as("decisions"),
      eb.fn.sum<number>("first_decisions").as("first_decisions"),
      eb.fn.sum<number>("first_accepted").as("first_accepted"),
      eb.fn.sum<number>("rejected").as("rejected"),
    ])
    .where("project_id", "=", s.projectId);
  if (s.userId !== undefined) q = q.where("user_id", "=", s.userId);
  if (s.fromWeek) q = q.where("week", ">=", s.fromWeek);
  if (s.toWeek) q = q.where("week", "<=", s.toWeek);
  return q.groupBy("user_id").execute();
};
export type WorkRow = Awaited<ReturnType<typeof workTotalsIn>>[number];

export const userNames = async (ex: Executor, ids: readonly number[]) =>
  ids.length === 0 ? [] : ex.selectFrom("users").select(["id", "name"]).where("id", "in", ids).execute();

export const labelsOf = (ex: Executor, projectId: number) =>
  ex
    .selectFrom("labels")
    .select(["id", "name", "color"])
    .where("project_id", "=", projectId)
    .orderBy("position")
    .orderBy("id")
    .execute();

export interface ResultFilter {
  projectId: number;
  kind: string;
  userId?: number | undefined;
  week?: string | undefined;
  fromWeek?: string | undefined;
  toWeek?: string | undefined;
  /** Substrings of the confusion JSON one of which a row must hold (a label, a cell). */
  confusionHas?: readonly string[] | undefined;
  outcome?: "tp" | "fp" | "fn" | "mismatched" | "low_overlap" | "tag_fp" | "tag_fn" | undefined;
  order: "errors" | "recent";
  offset: number;
  /** undefined: every row (a CSV). */
  limit?: number | undefined;
}

/**
 * The comparisons behind a count, with the image's file name and both people's names. A label or a
 * confusion cell is found in the stored confusion JSON (`[[ref,chk,n],…]` as the scorer writes it):
 * `[3,5,` can only be the start of the cell (3, 5), `[3,` a cell whose reference is 3 and `,5,` one
 * whose checked label is 5 — the count is followed by `]`, never by `,`.
 */
export const resultsPage = async (ex: Executor, f: ResultFilter) => {
  let q = ex
    .selectFrom("quality_results as r")
    .innerJoin("images as i", "i.id", "r.image_id")
    .leftJoin("users as cu", "cu.id", "r.checked_user_id")
    .leftJoin("users as ru", "ru.id", "r.reference_key")
    .where("r.project_id", "=", f.projectId)
    .where("r.kind", "=", f.kind);
  if (f.userId !== undefined) q = q.where("r.checked_user_id", "=", f.userId);
  if (f.week) q = q.where("r.week", "=", f.week);
  if (f.fromWeek) q = q.where("r.week", ">=", f.fromWeek);
  if (f.toWeek) q = q.where("r.week", "<=", f.toWeek);
  const has = f.confusionHas;
  if (has && has.length > 0)
    q = q.where((eb) => eb.or(has.map((part) => eb("r.confusion", "like", `%${part}%`))));
  const outcome = f.outcome;
  if (outcome) q = q.where(`r.${outcome}`, ">", 0);
  const total = Number(
    (await q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n,
  );
  let rows = q.select([
    "r.image_id",
    "i.file_name",
    "r.kind",
    "r.checked_user_id",
    "cu.name as checked_name",
    "r.reference_key",
    "ru.name as reference_name",
    "r.tp",
    "r.fp",
    "r.fn",
    "r.mismatched",
    "r.low_overlap",
    "r.iou_sum",
    "r.tag_tp",
    "r.tag_fp",
    "r.tag_fn",
    "r.confusion",
    "r.checked_at",
  ]);
  rows =
    f.order === "recent"
      ? rows.orderBy("r.checked_at", "desc").orderBy("r.id", "desc")
      : rows
          .orderBy((eb) => eb(eb(eb.ref("r.fp"), "+", eb.ref("r.fn")), "+", eb.ref("r.mismatched")), "desc")
          .orderBy("r.id");
  if (f.limit !== undefined) rows = rows.limit(f.limit).offset(f.offset);
  return { total, rows: await rows.execute() };
};
export type ResultRow = Awaited<ReturnType<typeof resultsPage>>["rows"][number];

/** One comparison's stored row (which side is which, and whether it exists). */
export const resultOf = (
  ex: Executor,
  imageId: number,
  kind: string,
  checkedUserId: number,
  referenceKey: number,
) =>
  ex
    .selectFrom("quality_results as r")
    .innerJoin("images as i", "i.id", "r.image_id")
    .select(["r.id", "r.project_id", "i.gold"])
    .where("r.image_id", "=", imageId)
    .where("r.kind", "=", kind)
    .where("r.checked_user_id", "=", checkedUserId)
    .where("r.reference_key", "=", referenceKey)
    .executeTakeFirst();
