import {
  ComparisonQuery,
  MeasuredKind,
  QualityImagesQuery,
  type QualityReportQuery,
  type ReportTable,
} from "@labelbench/schema";
import type { z } from "zod";
import { urlOf } from "../../api/client";

/**
 * The QC pages keep what they show in their URL, under the API's own query names, so any table,
 * drill-down or comparison can be bookmarked or sent to a colleague:
 * - the dashboard: `/projects/1/quality?view=labels&kind=gold&from=2026-11-02&annotatorId=3`;
 * - the images behind a count: `/projects/1/quality/images?annotatorId=3&outcome=fn` (the
 *   `qualityImages` endpoint's query);
 * - one comparison: `/projects/1/quality/images/5?userId=3&referenceKey=0&kind=gold`.
 * Anything malformed in an address means that filter's default rather than an error page.
 */
export const VIEWS = ["annotators", "labels", "weeks", "confusion", "agreement", "reviewers"] as const;
export type DashboardView = (typeof VIEWS)[number];

/** The report table (`by=`) each view downloads as CSV. */
export const TABLE_OF: Record<DashboardView, ReportTable> = {
  annotators: "annotator",
  labels: "label",
  weeks: "week",
  confusion: "confusion",
  agreement: "agreement",
  reviewers: "reviewer",
};

export interface DashboardScope {
  view: DashboardView;
  kind: z.infer<typeof MeasuredKind>;
  from: string | undefined;
  to: string | undefined;
  /** One annotator's page (always the caller's own for an annotator). */
  annotatorId: number | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const positiveInt = (raw: string | null): number | undefined => {
  if (raw === null || !/^[1-9]\d{0,14}$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
};
const day = (raw: string | null) => (raw !== null && DAY.test(raw) ? raw : undefined);

export const parseDashboardScope = (params: URLSearchParams): DashboardScope => {
  const view = params.get("view");
  const kind = MeasuredKind.safeParse(params.get("kind"));
  return {
    view: (VIEWS as readonly string[]).includes(view ?? "") ? (view as DashboardView) : "annotators",
    kind: kind.success ? kind.data : "gold",
    from: day(params.get("from")),
    to: day(params.get("to")),
    annotatorId: positiveInt(params.get("annotatorId")),
  };
};

/** `?…` with the non-default parts only, in a fixed order ("" when none). */
export const dashboardSearch = (s: DashboardScope): string => {
  const p = new URLSearchParams();
  if (s.view !== "annotators") p.set("view", s.view);
  if (s.kind !== "gold") p.set("kind", s.kind);
  if (s.from) p.set("from", s.from);
  if (s.to) p.set("to", s.to);
  if (s.annotatorId !== undefined) p.set("annotatorId", String(s.annotatorId));
  const qs = p.toString();
  return qs ? `?${qs}` : "";
};

/** The report endpoint's query for a scope (JSON, every table). */
export const reportQuery = (s: DashboardScope): z.input<typeof QualityReportQuery> => ({
  kind: s.kind,
  annotatorId: s.annotatorId,
  from: s.from,
  to: s.to,
});

/** The address of one table as CSV (the API's `format=csv`), for a plain download link. */
export const reportCsvUrl = (projectId: number, s: DashboardScope, table: ReportTable): string =>
  urlOf("qualityReport", { projectId }, { ...reportQuery(s), by: table, format: "csv" });

/** The drill-down's filters: the `qualityImages` query without paging and format. */
export type ImagesScope = Omit<z.infer<typeof QualityImagesQuery>, "cursor" | "limit" | "format">;
export type ImagesFilter = Partial<ImagesScope>;

const IMAGE_KEYS = [
  "kind",
  "annotatorId",
  "week",
  "from",
  "to",
  "labelId",
  "reference",
  "checked",
  "outcome",
  "order",
] as const satisfies readonly (keyof ImagesScope)[];

/** Each key read with the endpoint's own schema for it; a bad value falls back to that key's default. */
export const parseImagesScope = (params: URLSearchParams): ImagesScope => {
  const raw: Record<string, string> = {};
  const shape = QualityImagesQuery.shape;
  for (const k of IMAGE_KEYS) {
    const v = params.get(k);
    if (v !== null && shape[k].safeParse(v).success) raw[k] = v;
  }
  const { cursor: _c, limit: _l, format: _f, ...scope } = QualityImagesQuery.parse(raw);
  return scope;
};

/** `?…` of a drill-down, defaults left out, in a fixed order. */
export const imagesSearch = (f: ImagesFilter): string => {
  const p = new URLSearchParams();
  for (const k of IMAGE_KEYS) {
    const v = f[k];
    if (v === undefined) continue;
    if ((k === "kind" && v === "gold") || (k === "order" && v === "errors")) continue;
    p.set(k, String(v));
  }
  const qs = p.toString();
  return qs ? `?${qs}` : "";
};

export const imagesHref = (projectId: number, f: ImagesFilter): string =>
  `/projects/${projectId}/quality/images${imagesSearch(f)}`;

/** The CSV of every row behind a drill-down. */
export const imagesCsvUrl = (projectId: number, f: ImagesFilter): string =>
  urlOf("qualityImages", { projectId }, { ...f, format: "csv" });

export type ComparisonScope = z.infer<typeof ComparisonQuery>;

export const parseComparisonScope = (params: URLSearchParams): ComparisonScope | null => {
  const parsed = ComparisonQuery.safeParse(Object.fromEntries(params));
  return parsed.success ? parsed.data : null;
};

export const comparisonHref = (
  projectId: number,
  imageId: number,
  c: { kind: ComparisonScope["kind"]; userId: number; referenceKey: number },
): string => {
  const p = new URLSearchParams({ userId: String(c.userId), referenceKey: String(c.referenceKey) });
  if (c.kind !== "gold") p.set("kind", c.kind);
  return `/projects/${projectId}/quality/images/${imageId}?${p.toString()}`;
};
