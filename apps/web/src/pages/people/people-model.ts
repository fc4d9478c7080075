import type { AnnotatorStats } from "@labelbench/schema";

export type StatsColumn =
  | "name"
  | "assigned"
  | "submitted"
  | "acceptedFirstPass"
  | "rejected"
  | "reworkRate"
  | "objects"
  | "activeSeconds"
  | "openIssues";

export interface StatsSort {
  column: StatsColumn;
  descending: boolean;
}

/** Numbers read best high to low; names A to Z. */
export const defaultDescending = (c: StatsColumn) => c !== "name";

/**
 * The table's rows in the chosen order; rows without a value (no decision yet: no rework rate)
 * go last either way, and ties fall back to the name so the order never jumps.
 */
export const sortStats = (rows: readonly AnnotatorStats[], s: StatsSort): AnnotatorStats[] => {
  const byName = (a: AnnotatorStats, b: AnnotatorStats) =>
    a.name.localeCompare(b.name, "en", { sensitivity: "base" }) || a.userId - b.userId;
  return [...rows].sort((a, b) => {
    if (s.column === "name") return s.descending ? byName(b, a) : byName(a, b);
    const x = a[s.column];
    const y = b[s.column];
    if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1;
    return (s.descending ? y - x : x - y) || byName(a, b);
  });
};

/** Accepted at first pass, as a share of the images they submitted (null before any submission). */
export const firstPassRate = (r: Pick<AnnotatorStats, "acceptedFirstPass" | "submitted">): number | null =>
  r.submitted > 0 ? r.acceptedFirstPass / r.submitted : null;

/** The project's totals row (the rework rate of all decisions together, not an average of rates). */
export const totalsOf = (rows: readonly AnnotatorStats[]) => {
  const sum = (
    k:
      | "assigned"
      | "submitted"
      | "acceptedFirstPass"
      | "accepted"
      | "rejected"
      | "objects"
      | "activeSeconds"
      | "openIssues",
  ) => rows.reduce((n, r) => n + r[k], 0);
  const rejected = sum("rejected");
  const decisions = rejected + sum("accepted");
  return {
    assigned: sum("assigned"),
    submitted: sum("submitted"),
    acceptedFirstPass: sum("acceptedFirstPass"),
    rejected,
    reworkRate: decisions > 0 ? rejected / decisions : null,
    objects: sum("objects"),
    activeSeconds: sum("activeSeconds"),
    openIssues: sum("openIssues"),
  };
};
