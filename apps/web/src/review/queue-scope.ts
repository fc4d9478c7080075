import type { ReviewQueueQuery } from "@labelbench/schema";

/**
 * The review queue's filters as kept in the page's URL, under the names of the endpoint's query
 * (`?state=stale&annotatorId=3&submittedSince=2026-11-30T23:00:00.000Z&openIssues=true`). The
 * queue's links into the editor carry the same parameters next to `mode=review`, so the editor's
 * next and previous image (`D`/`A`) walk exactly the queue the reviewer was looking at (the editor
 * reads them with `editor/review/review-scope.ts`, which uses the same names and order).
 */
export type QueueState = NonNullable<ReviewQueueQuery["state"]>;
export const QUEUE_STATES: readonly QueueState[] = ["pending", "stale", "accepted", "rejected", "unreviewed"];

export interface QueueScope {
  state: QueueState;
  annotatorId: number | undefined;
  labelId: number | undefined;
  /** An ISO timestamp: the start of the day the reviewer picked, in their time zone. */
  since: string | undefined;
  /** true: only images with unresolved issues; false: only without; undefined: both. */
  openIssues: boolean | undefined;
  attempt: number | undefined;
}

export const DEFAULT_QUEUE_SCOPE: QueueScope = {
  state: "pending",
  annotatorId: undefined,
  labelId: undefined,
  since: undefined,
  openIssues: undefined,
  attempt: undefined,
};

/** The URL keys: the endpoint's own names, in bookmarks and in the editor's address. */
export const QUEUE_KEYS = [
  "state",
  "annotatorId",
  "labelId",
  "submittedSince",
  "openIssues",
  "attempt",
] as const;

const positiveInt = (raw: string | null): number | undefined => {
  if (raw === null || !/^[1-9]\d{0,9}$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
};

/** An ISO-8601 timestamp a Date reads back to itself (what `dayStart` writes). */
const isTimestamp = (raw: string | null): raw is string =>
  raw !== null && /^\d{4}-\d{2}-\d{2}T/.test(raw) && !Number.isNaN(Date.parse(raw));

/** `YYYY-MM-DD` naming a day that exists (not 2026-02-30). */
export const isDay = (raw: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
};

/** The local calendar day's start as the UTC timestamp the server compares submissions with. */
export const dayStart = (day: string): string => new Date(`${day}T00:00:00`).toISOString();

/** The local day (`YYYY-MM-DD`) a timestamp falls on, for the date input. */
export const localDay = (iso: string): string => {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

/** Reads the scope; anything unknown or malformed means that filter's default rather than an error page. */
export const parseQueueScope = (params: URLSearchParams): QueueScope => {
  const state = params.get("state");
  const issues = params.get("openIssues");
  const since = params.get("submittedSince");
  return {
    state: (QUEUE_STATES as readonly string[]).includes(state ?? "") ? (state as QueueState) : "pending",
    annotatorId: positiveInt(params.get("annotatorId")),
    labelId: positiveInt(params.get("labelId")),
    since: isTimestamp(since) ? since : undefined,
    openIssues: issues === "true" ? true : issues === "false" ? false : undefined,
    attempt: positiveInt(params.get("attempt")),
  };
};

/** `?…` with the scope's non-default filters only ("" when none), in a fixed order. */
export const queueSearch = (s: QueueScope, extra: Record<string, string> = {}): string => {
  const p = new URLSearchParams(extra);
  if (s.state !== "pending") p.set("state", s.state);
  if (s.annotatorId !== undefined) p.set("annotatorId", String(s.annotatorId));
  if (s.labelId !== undefined) p.set("labelId", String(s.labelId));
  if (s.since !== undefined) p.set("submittedSince", s.since);
  if (s.openIssues !== undefined) p.set("openIssues", String(s.openIssues));
  if (s.attempt !== undefined) p.set("attempt", String(s.attempt));
  const qs = p.toString();
  return qs ? `?${qs}` : "";
};

/** `params` with the queue's keys replaced by `s` (other parameters kept). */
export const withQueueScope = (params: URLSearchParams, s: QueueScope): URLSearchParams => {
  const p = new URLSearchParams(params);
  for (const k of QUEUE_KEYS) p.delete(k);
  for (const [k, v] of new URLSearchParams(queueSearch(s))) p.set(k, v);
  return p;
};

/** The scope as the `reviewQueue` endpoint's query (without cursor and limit). */
export const queueQuery = (s: QueueScope): ReviewQueueQuery => ({
  state: s.state,
  annotatorId: s.annotatorId,
  labelId: s.labelId,
  submittedSince: s.since,
  openIssues: s.openIssues === undefined ? undefined : s.openIssues ? "true" : "false",
  attempt: s.attempt,
});

/** The editor's address for one queued image, in review mode, walking the same queue. */
export const reviewHref = (projectId: number, imageId: number, s: QueueScope): string =>
  `/projects/${projectId}/images/${imageId}${queueSearch(s, { mode: "review" })}`;

/** How many filters besides the state narrow the queue (for "Clear filters"). */
export const activeFilters = (s: QueueScope): number =>
  [s.annotatorId, s.labelId, s.since, s.openIssues, s.attempt].filter((v) => v !== undefined).length;
