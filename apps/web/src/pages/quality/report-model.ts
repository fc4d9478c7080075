import type { Estimate } from "@labelbench/schema";

/**
 * Ordering and naming for the report's tables. Rows without a value (nothing measured) go last in
 * either direction, and ties fall back to the name, so the order never jumps between loads.
 */
export type SortValue = Estimate | number | string | null;

export interface TableSort<K extends string> {
  column: K;
  descending: boolean;
}

const scalar = (v: SortValue): number | string | null =>
  v === null || typeof v === "number" || typeof v === "string" ? v : v.value;

const byText = (a: string, b: string) => a.localeCompare(b, "en", { sensitivity: "base", numeric: true });

export const sortRows = <T, K extends string>(
  rows: readonly T[],
  sort: TableSort<K>,
  valueIn: (row: T, column: K) => SortValue,
  nameOf: (row: T) => string,
): T[] => {
  const tie = (a: T, b: T) => byText(nameOf(a), nameOf(b));
  return [...rows].sort((a, b) => {
    const x = scalar(valueIn(a, sort.column));
    const y = scalar(valueIn(b, sort.column));
    if (x === null || y === null) return x === y ? tie(a, b) : x === null ? 1 : -1;
    const d = typeof x === "string" || typeof y === "string" ? byText(String(x), String(y)) : x - y;
    return (sort.descending ? -d : d) || tie(a, b);
  });
};

/** "Week of 2 Nov 2026" for a week's Monday (UTC, as the server groups them). */
export const formatWeek = (monday: string): string => {
  const d = new Date(`${monday}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return monday;
  return `Week of ${d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })}`;
};

/** Images per active hour, to one decimal; an en dash without focused time. */
export const formatThroughput = (perHour: number | null): string =>
  perHour === null ? "–" : `${perHour >= 10 ? Math.round(perHour) : perHour.toFixed(1)}/h`;
