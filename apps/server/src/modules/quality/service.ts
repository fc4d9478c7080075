import {
  addTotals,
  type ComparisonTotals,
  matchImage,
  totalsOfMatch,
  wilsonInterval,
  ZERO_TOTALS,
} from "@labelbench/quality";
import type {
  ComparisonQuery,
  QualityComparison,
  QualityImagePage,
  QualityImageRow,
  QualityImagesQuery,
  QualityReport,
  QualityReportQuery,
  ReportTable,
  RescoreResult,
  Role,
} from "@labelbench/schema";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { auditCounts } from "../review-audits/audits-repo.js";
import { type CsvValue, toCsv } from "./csv.js";
import {
  agreementMatrix,
  annotatorRow,
  confusionCells,
  confusionMatrix,
  countsOf,
  labelRows,
  matchSettings,
  personNumbers,
  reviewerRows,
  scoresOf,
  sumBy,
  weekRows,
} from "./report.js";
import * as repo from "./report-repo.js";
import { copySet, presetOf, type SourceSet, scoreProject } from "./score.js";
import * as scoreRepo from "./score-repo.js";
import { weekOf } from "./week.js";

export interface QualityCaller {
  userId: number;
  role: Role;
}

/** Only annotators are limited to their own numbers; reviewers, managers and admins read the project's. */
const ownOnly = (caller: QualityCaller) => caller.role === "annotator";

/**
 * The user whose rows the caller may read: an annotator always themself (asking for someone else
 * is a 403), anyone else whoever they asked for (or everyone).
 */
const scopedUser = (caller: QualityCaller, asked: number | undefined): number | undefined => {
  if (!ownOnly(caller)) return asked;
  if (asked !== undefined && asked !== caller.userId)
    throw new AppError(
      "FORBIDDEN",
      `an annotator reads only their own quality numbers (asked for user ${asked}, you are user ${caller.userId})`,
    );
  return caller.userId;
};

const weekSpan = (from: string | undefined, to: string | undefined) => {
  const fromWeek = from ? weekOf(from) : undefined;
  const toWeek = to ? weekOf(to) : undefined;
  if (fromWeek && toWeek && fromWeek > toWeek)
    throw new AppError("VALIDATION_ERROR", `invalid query: from (${from}) is after to (${to})`, [
      { path: "query.from", message: `the week of ${from} is after the week of ${to}` },
    ]);
  return { fromWeek, toWeek };
};

type ReportQuery = QualityReportQuery;

const pct = (v: number | null) => (v === null ? null : Number(v.toFixed(6)));

/** One table of the report as CSV (RFC 4180), with n and the interval beside each rate. */
export const reportCsv = (report: QualityReport, table: ReportTable): string => {
  const est = (name: string) => [name, `${name}_n`, `${name}_low`, `${name}_high`];
  const estV = (e: { value: number | null; n: number; low: number; high: number }): CsvValue[] => [
    pct(e.value),
    e.n,
    pct(e.low),
    pct(e.high),
  ];
  const countCols = [
    "comparisons",
    "tp",
    "fp",
    "fn",
    "mismatched",
    "low_overlap",
    "tag_tp",
    "tag_fp",
    "tag_fn",
  ];
  const scoreCols = ["precision", "recall", "f1", "accuracy", "mean_iou", "tag_accuracy"].flatMap(est);
  const countV = (c: QualityReport["summary"]["counts"]): CsvValue[] => [
    c.comparisons,
    c.tp,
    c.fp,
    c.fn,
    c.mismatched,
    c.lowOverlap,
    c.tagTp,
    c.tagFp,
    c.tagFn,
  ];
  const scoreV = (s: QualityReport["summary"]["scores"]): CsvValue[] => [
    ...estV(s.precision),
    ...estV(s.recall),
    ...estV(s.f1),
    ...estV(s.accuracy),
    ...estV(s.meanIou),
    ...estV(s.tagAccuracy),
  ];
  const labelName = new Map(report.confusion.labels.map((l) => [l.id, l.name]));
  const nameOfLabel = (id: number | null) => (id === null ? "(none)" : (labelName.get(id) ?? `label ${id}`));
  switch (table) {
    case "annotator":
      return toCsv(
        [
          "user_id",
          "name",
          ...countCols,
          ...scoreCols,
          "active_seconds",
          "images_submitted",
          "images_per_active_hour",
          ...est("first_pass_yield"),
          ...est("rework"),
          "top_confusions",
        ],
        report.annotators.map((a) => [
          a.userId,
          a.name,
          ...countV(a.counts),
          ...scoreV(a.scores),
          a.throughput.activeSeconds,
          a.throughput.imagesSubmitted,
          a.throughput.imagesPerActiveHour === null
            ? null
            : Number(a.throughput.imagesPerActiveHour.toFixed(3)),
          ...estV(a.firstPassYield),
          ...estV(a.rework),
          a.topConfusions
            .map((c) => `${nameOfLabel(c.reference)} -> ${nameOfLabel(c.checked)}: ${c.count}`)
            .join("; "),
        ]),
      );
    case "label":
      return toCsv(
        ["label_id", "name", "tp", "fp", "fn", ...est("precision"), ...est("recall"), ...est("accuracy")],
        report.labels.map((l) => [
          l.labelId,
          l.name,
          l.tp,
          l.fp,
          l.fn,
          ...estV(l.precision),
          ...estV(l.recall),
          ...estV(l.accuracy),
        ]),
      );
    case "week":
      return toCsv(
        ["week", ...countCols, ...scoreCols],
        report.weeks.map((w) => [w.week, ...countV(w.counts), ...scoreV(w.scores)]),
      );
    case "confusion":
      return toCsv(
        ["reference_label_id", "reference_label", "checked_label_id", "checked_label", "count"],
        report.confusion.cells.map((c) => [
          c.reference,
          nameOfLabel(c.reference),
          c.checked,
          nameOfLabel(c.checked),
          c.count,
        ]),
      );
    case "agreement": {
      const names = new Map((report.agreement?.annotators ?? []).map((a) => [a.userId, a.name]));
      return toCsv(
        ["user_a", "name_a", "user_b", "name_b", "images", "tp", "fp", "fn", "mismatched", ...est("f1")],
        (report.agreement?.cells ?? []).map((c) => [
          c.a,
          names.get(c.a),
          c.b,
          names.get(c.b),
          c.images,
          c.counts.tp,
          c.counts.fp,
          c.counts.fn,
          c.counts.mismatched,
          ...estV(c.f1),
        ]),
      );
    }
    case "reviewer":
      return toCsv(
        ["user_id", "name", "audited", "upheld", ...est("precision")],
        (report.reviewers ?? []).map((r) => [r.userId, r.name, r.audited, r.upheld, ...estV(r.precision)]),
      );
  }
};

export const imagesCsv = (page: QualityImagePage): string =>
  toCsv(
    [
      "image_id",
      "file_name",
      "kind",
      "checked_user_id",
      "checked_name",
      "reference_key",
      "reference_name",
      "count",
      "comparisons",
      "tp",
      "fp",
      "fn",
      "mismatched",
      "low_overlap",
      "tag_tp",
      "tag_fp",
      "tag_fn",
      "accuracy",
      "mean_iou",
      "checked_at",
    ],
    page.items.map((r) => [
      r.imageId,
      r.fileName,
      r.kind,
      r.checkedUserId,
      r.checkedName,
      r.referenceKey,
      r.referenceName,
      r.count,
      r.counts.comparisons,
      r.counts.tp,
      r.counts.fp,
      r.counts.fn,
      r.counts.mismatched,
      r.counts.lowOverlap,
      r.counts.tagTp,
      r.counts.tagFp,
      r.counts.tagFn,
      pct(r.accuracy.value),
      r.meanIou === null ? null : pct(r.meanIou),
      r.checkedAt,
    ]),
  );

type ImagesQuery = QualityImagesQuery;

/** The confusion-JSON fragments a label or a cell filter looks for (report-repo's resultsPage). */
const confusionFilter = (q: ImagesQuery): string[] | undefined => {
  const side = (v: "none" | number) => (v === "none" ? "null" : String(v));
  if (q.reference !== undefined && q.checked !== undefined)
    return [`[${side(q.reference)},${side(q.checked)},`];
  if (q.reference !== undefined) return [`[${side(q.reference)},`];
  if (q.checked !== undefined) return [`,${side(q.checked)},`];
  if (q.labelId !== undefined) return [`[${q.labelId},`, `,${q.labelId},`];
  return undefined;
};

const OUTCOME_COLUMN = {
  tp: "tp",
  fp: "fp",
  fn: "fn",
  mismatched: "mismatched",
  lowOverlap: "low_overlap",
  tagFp: "tag_fp",
  tagFn: "tag_fn",
} as const;

/** The count a drill-down row stands for: the asked cell's, the asked outcome's, else its errors. */
const countFor = (q: ImagesQuery, r: repo.ResultRow): number => {
  if (q.reference !== undefined || q.checked !== undefined || q.labelId !== undefined) {
    const cells = JSON.parse(r.confusion) as [number | null, number | null, number][];
    const want = (v: "none" | number | undefined, got: number | null) =>
      v === undefined || (v === "none" ? got === null : got === v);
    return cells
      .filter(([ref, chk]) =>
        q.labelId !== undefined && q.reference === undefined && q.checked === undefined
          ? ref === q.labelId || chk === q.labelId
          : want(q.reference, ref) && want(q.checked, chk),
      )
      .reduce((s, [, , n]) => s + n, 0);
  }
  if (q.outcome) return Number(r[OUTCOME_COLUMN[q.outcome]]);
  return Number(r.fp) + Number(r.fn) + Number(r.mismatched);
};

/** The QC report's rules: who reads what, the tables, CSV, drill-downs (docs/quality-metrics.md). */
export const qualityService = (deps: Pick<Deps, "sql" | "dialect" | "now">) => ({
  report: async (projectId: number, q: ReportQuery, caller: QualityCaller): Promise<QualityReport> => {
    const userId = scopedUser(caller, q.annotatorId);
    const { fromWeek, toWeek } = weekSpan(q.from, q.to);
    const scope = { projectId, kind: q.kind, userId, fromWeek, toWeek };
    const [totals, confusion, labels, preset] = await Promise.all([
      repo.totalsIn(deps.sql, scope),
      repo.confusionIn(deps.sql, scope),
      repo.labelsOf(deps.sql, projectId),
      repo.matchPresetOf(deps.sql, projectId),
    ]);
    const overlap = ownOnly(caller) ? null : await repo.totalsIn(deps.sql, { ...scope, kind: "overlap" });
    const work = await repo.workTotalsIn(deps.sql, { projectId, userId, fromWeek, toWeek });
    const workOf = new Map(work.map((r) => [Number(r.user_id), r]));
    const byUser = sumBy(totals, (r) => Number(r.checked_user_id));
    const people = new Set<number>(byUser.keys());
    for (const id of workOf.keys()) people.add(id);
    if (userId !== undefined) {
      for (const p of [...people]) if (p !== userId) people.delete(p);
    }
    for (const r of overlap ?? []) {
      people.add(Number(r.checked_user_id));
      people.add(Number(r.reference_key));
    }
    const names = new Map((await repo.userNames(deps.sql, [...people])).map((u) => [u.id, u.name]));
    const labelNames = new Map(labels.map((l) => [l.id, l.name]));
    const numbersOf = (id: number) => personNumbers(workOf.get(id));
    const annotatorIds = [...people]
      .filter((id) => {
        const n = numbersOf(id);
        return byUser.has(id) || n.imagesSubmitted + n.copiesSubmitted > 0 || n.activeSeconds > 0;
      })
      .sort((a, b) => a - b);
    const all = [...byUser.values()].reduce(addTotals, ZERO_TOTALS);
    const cells = confusionCells(confusion);
    return {
      projectId,
      kind: q.kind,
      from: fromWeek ?? null,
      to: toWeek ?? null,
      annotatorId: userId ?? null,
      match: matchSettings(preset),
      summary: { counts: countsOf(all), scores: scoresOf(all) },
      annotators: annotatorIds.map((id) =>
        annotatorRow(
          id,
          names.get(id) ?? `user ${id}`,
          byUser.get(id) ?? ZERO_TOTALS,
          confusionCells(confusion.filter((c) => Number(c.checked_user_id) === id)),
          numbersOf(id),
        ),
      ),
      labels: labelRows(cells, labelNames),
      weeks: weekRows(totals),
      confusion: confusionMatrix(cells, labels),
      agreement: overlap === null ? null : agreementMatrix(overlap, names),
      reviewers: ownOnly(caller)
        ? null
        : reviewerRows(
            await auditCounts(deps.sql, projectId),
            caller.role === "reviewer" ? caller.userId : undefined,
          ),
    };
  },

  images: async (projectId: number, q: ImagesQuery, caller: QualityCaller): Promise<QualityImagePage> => {
    const userId = scopedUser(caller, q.annotatorId);
    if (ownOnly(caller) && q.kind === "overlap")
      throw new AppError(
        "FORBIDDEN",
        "an annotator reads only comparisons with a reference, not with other annotators' work",
      );
    const { fromWeek, toWeek } = weekSpan(q.from, q.to);
    const offset = q.cursor ? Number(q.cursor) : 0;
    const csv = q.format === "csv";
    const { total, rows } = await repo.resultsPage(deps.sql, {
      projectId,
      kind: q.kind,
      userId,
      week: q.week ? weekOf(q.week) : undefined,
      fromWeek,
      toWeek,
      confusionHas: confusionFilter(q),
      outcome: q.outcome ? OUTCOME_COLUMN[q.outcome] : undefined,
      order: q.order,
      offset,
      limit: csv ? undefined : q.limit,
    });
    const items: QualityImageRow[] = rows.map((r) => {
      const t: ComparisonTotals = {
        ...ZERO_TOTALS,
        comparisons: 1,
        tp: Number(r.tp),
        fp: Number(r.fp),
        fn: Number(r.fn),
        mismatched: Number(r.mismatched),
        lowOverlap: Number(r.low_overlap),
        tagTp: Number(r.tag_tp),
        tagFp: Number(r.tag_fp),
        tagFn: Number(r.tag_fn),
      };
      return {
        imageId: r.image_id,
        fileName: r.file_name,
        kind: r.kind as QualityImageRow["kind"],
        checkedUserId: r.checked_user_id,
        checkedName: r.checked_name ?? `user ${r.checked_user_id}`,
        referenceKey: r.reference_key,
        referenceName: r.reference_key === 0 ? null : (r.reference_name ?? `user ${r.reference_key}`),
        counts: countsOf(t),
        count: countFor(q, r),
        accuracy: wilsonInterval(t.tp, t.tp + t.fp + t.fn + t.mismatched),
        meanIou: t.tp === 0 ? null : Number(r.iou_sum) / t.tp,
        checkedAt: r.checked_at,
      };
    });
    const next = offset + rows.length;
    return { items, total, nextCursor: !csv && next < total ? String(next) : null };
  },

  comparison: async (
    imageId: number,
    q: ComparisonQuery,
    caller: QualityCaller,
  ): Promise<QualityComparison> => {
    if (ownOnly(caller) && (q.userId !== caller.userId || q.kind !== "gold"))
      throw new AppError(
        "FORBIDDEN",
        "an annotator reads only the comparisons of their own work with a reference",
      );
    const what = `${q.kind} comparison of user ${q.userId}${q.kind === "overlap" ? ` with user ${q.referenceKey}` : ""} on image ${imageId}`;
    const stored = await repo.resultOf(
      deps.sql,
      imageId,
      q.kind,
      q.userId,
      q.kind === "gold" ? 0 : q.referenceKey,
    );
    if (!stored) throw new AppError("NOT_FOUND", `${what} does not exist (nothing submitted and scored)`);
    const [image] = await scoreRepo.scoredImages(deps.sql, [imageId], false);
    if (!image) throw notFound("image", imageId);
    const copies = await scoreRepo.submittedCopies(deps.sql, [imageId]);
    const checkedCopy = copies.find((c) => c.user_id === q.userId);
    let reference: SourceSet | undefined;
    if (q.kind === "gold") {
      const refs = await scoreRepo.referencesOf(deps.sql, [imageId]);
      reference = {
        shapes: refs.shapes.map((s) => ({
          uid: s.uid,
          labelId: s.label_id,
          geometry: JSON.parse(s.geometry),
        })),
        tags: refs.tags.map((t) => t.label_id),
      };
    } else {
      const other = copies.find((c) => c.user_id === q.referenceKey);
      if (other) reference = copySet(other);
    }
    if (!checkedCopy || !reference) throw new AppError("NOT_FOUND", `${what}: a side is no longer submitted`);
    const checked = copySet(checkedCopy);
    const m = matchImage(reference, checked, presetOf(image.match_preset));
    return {
      imageId,
      kind: q.kind,
      checkedUserId: q.userId,
      referenceKey: q.kind === "gold" ? 0 : q.referenceKey,
      match: matchSettings(image.match_preset),
      reference,
      checked,
      matches: m.matches.map(({ reference, checked, iou, lowOverlap }) => ({
        reference,
        checked,
        iou,
        lowOverlap,
      })),
      mismatches: m.mismatches.map(({ reference, checked, iou, lowOverlap }) => ({
        reference,
        checked,
        iou,
        lowOverlap,
      })),
      missing: m.missing.map((s) => s.index),
      extra: m.extra.map((s) => s.index),
      tags: { matched: [...m.tags.matched], missing: [...m.tags.missing], extra: [...m.tags.extra] },
      counts: countsOf(totalsOfMatch(m)),
    };
  },

  rescore: async (projectId: number): Promise<RescoreResult> => {
    const o = await scoreProject(deps, projectId);
    return { images: o.images, comparisons: o.comparisons };
  },
});
