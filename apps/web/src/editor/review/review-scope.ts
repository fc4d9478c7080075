import { ReviewQueueQuery } from "@labelbench/schema";
import type { z } from "zod";

/**
 * The editor in review mode is `/projects/:p/images/:i?mode=review&…`, the `…` being the review
 * queue's filters as the queue page keeps them in its own URL (the names of ReviewQueueQuery), so
 * the next and previous images are those of the queue the reviewer came from.
 */
export type ReviewFilters = Omit<z.output<typeof ReviewQueueQuery>, "cursor" | "limit" | "openIssues"> & {
  openIssues?: boolean | undefined;
};

const FILTER_KEYS = ["state", "annotatorId", "labelId", "submittedSince", "openIssues", "attempt"] as const;

export const isReviewMode = (params: URLSearchParams): boolean => params.get("mode") === "review";

/**
 * Work mode (`?mode=work`, from My work): previous and next walk the annotator's own to-do list
 * (editor/review/work-navigator.ts) instead of the library.
 */
export const WORK_SEARCH = "?mode=work";
export const isWorkMode = (params: URLSearchParams): boolean => params.get("mode") === "work";
export const workEditorPath = (projectId: number, imageId: number): string =>
  `/projects/${projectId}/images/${imageId}${WORK_SEARCH}`;

/** The queue's filters in the URL; a value the contract would refuse is left out rather than failing. */
export const parseReviewFilters = (params: URLSearchParams): ReviewFilters => {
  const picked: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v === null || v === "") continue;
    // One at a time: a bad value drops itself, not its neighbours.
    if (ReviewQueueQuery.safeParse({ [k]: v }).success) picked[k] = v;
  }
  const { cursor: _c, limit: _l, ...filters } = ReviewQueueQuery.parse(picked);
  return filters;
};

/** `?mode=review&…` with the filters that differ from the defaults, for links to the editor. */
export const reviewSearch = (f: Partial<ReviewFilters>): string => {
  const p = new URLSearchParams({ mode: "review" });
  if (f.state && f.state !== "pending") p.set("state", f.state);
  if (f.annotatorId !== undefined) p.set("annotatorId", String(f.annotatorId));
  if (f.labelId !== undefined) p.set("labelId", String(f.labelId));
  if (f.submittedSince) p.set("submittedSince", f.submittedSince);
  if (f.openIssues !== undefined) p.set("openIssues", String(f.openIssues));
  if (f.attempt !== undefined) p.set("attempt", String(f.attempt));
  return `?${p.toString()}`;
};

/** Where the review queue opens an image: the editor in review mode, carrying the queue's filters. */
export const reviewEditorPath = (
  projectId: number,
  imageId: number,
  f: Partial<ReviewFilters> = {},
): string => `/projects/${projectId}/images/${imageId}${reviewSearch(f)}`;

/** The filters as the review-queue endpoint's query. */
export const reviewQueueQuery = (f: ReviewFilters) => ({
  state: f.state,
  annotatorId: f.annotatorId,
  labelId: f.labelId,
  submittedSince: f.submittedSince,
  openIssues: f.openIssues === undefined ? undefined : f.openIssues ? ("true" as const) : ("false" as const),
  attempt: f.attempt,
});
