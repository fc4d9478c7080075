import type { ConfusionCell } from "@labelbench/schema";

/**
 * The confusion matrix as a table: reference labels down, the labels they were drawn as across, a
 * "not drawn" column for missing shapes and a "not in reference" row for extra ones. Pure, so the
 * layout (order, totals, shading) is tested without a DOM.
 */

/** One counted pair; null is "no shape" (missing on the checked side, extra on the reference side). */
export type ConfusionCount = ConfusionCell;

export interface AxisLabel {
  /** null: the "no shape" row or column. */
  labelId: number | null;
  name: string;
  colour: string | null;
}

export type CellKind = "match" | "mismatch" | "missing" | "extra" | "none";

export interface MatrixCell {
  reference: number | null;
  checked: number | null;
  count: number;
  kind: CellKind;
  /** 0..1: how strongly the cell is tinted (matches by their share of the row, errors by the largest error). */
  tint: number;
}

export interface ConfusionMatrix {
  rows: AxisLabel[];
  columns: AxisLabel[];
  cells: MatrixCell[][];
  rowTotals: number[];
  columnTotals: number[];
  total: number;
}

export const NO_SHAPE_ROW = "Not in reference";
export const NO_SHAPE_COLUMN = "Not drawn";

const kindOf = (reference: number | null, checked: number | null): CellKind =>
  reference === null
    ? checked === null
      ? "none"
      : "extra"
    : checked === null
      ? "missing"
      : reference === checked
        ? "match"
        : "mismatch";

/**
 * Lays out `counts` over the project's labels (in the project's order, which is the order users know
 * from the palette); a label id the project no longer has (deleted since) still gets its row, named
 * by its id, after the known ones. Labels with no count at all are left out.
 */
export const confusionMatrix = (
  counts: readonly ConfusionCount[],
  labels: readonly { id: number; name: string; color: string }[],
): ConfusionMatrix => {
  const used = new Set<number>();
  for (const c of counts) {
    if (c.count <= 0) continue;
    if (c.reference !== null) used.add(c.reference);
    if (c.checked !== null) used.add(c.checked);
  }
  const known = labels.filter((l) => used.has(l.id));
  const knownIds = new Set(known.map((l) => l.id));
  const axis: AxisLabel[] = [
    ...known.map((l) => ({ labelId: l.id, name: l.name, colour: l.color })),
    ...[...used]
      .filter((id) => !knownIds.has(id))
      .sort((a, b) => a - b)
      .map((id) => ({ labelId: id, name: `label #${id}`, colour: null })),
  ];
  const rows = [...axis, { labelId: null, name: NO_SHAPE_ROW, colour: null }];
  const columns = [...axis, { labelId: null, name: NO_SHAPE_COLUMN, colour: null }];

  const key = (r: number | null, c: number | null) => `${r}:${c}`;
  const sum = new Map<string, number>();
  for (const c of counts) {
    if (c.count <= 0) continue;
    const k = key(c.reference, c.checked);
    sum.set(k, (sum.get(k) ?? 0) + c.count);
  }
  const raw = rows.map((r) =>
    columns.map((c) => ({
      reference: r.labelId,
      checked: c.labelId,
      count: sum.get(key(r.labelId, c.labelId)) ?? 0,
      kind: kindOf(r.labelId, c.labelId),
    })),
  );
  const rowTotals = raw.map((row) => row.reduce((n, c) => n + c.count, 0));
  const columnTotals = columns.map((_, j) => raw.reduce((n, row) => n + (row[j]?.count ?? 0), 0));
  let maxError = 0;
  for (const row of raw)
    for (const c of row) if (c.kind !== "match" && c.count > maxError) maxError = c.count;
  const cells = raw.map((row, i) =>
    row.map((c) => ({
      ...c,
      tint:
        c.count === 0
          ? 0
          : c.kind === "match"
            ? c.count / (rowTotals[i] ?? c.count)
            : maxError > 0
              ? c.count / maxError
              : 0,
    })),
  );
  return {
    rows,
    columns,
    cells,
    rowTotals,
    columnTotals,
    total: rowTotals.reduce((a, b) => a + b, 0),
  };
};

/** The most frequent errors (mismatches, then missing and extra alike), for "top confusions". */
export const topConfusions = (counts: readonly ConfusionCount[], limit: number): ConfusionCount[] =>
  counts
    .filter((c) => c.count > 0 && c.reference !== c.checked)
    .sort(
      (a, b) =>
        b.count - a.count ||
        Number(a.reference === null || a.checked === null) -
          Number(b.reference === null || b.checked === null) ||
        (a.reference ?? Number.MAX_SAFE_INTEGER) - (b.reference ?? Number.MAX_SAFE_INTEGER) ||
        (a.checked ?? Number.MAX_SAFE_INTEGER) - (b.checked ?? Number.MAX_SAFE_INTEGER),
    )
    .slice(0, limit);

/**
 * One label's errors split by kind, from the confusion cells: its shapes not drawn at all, extra
 * shapes given it, its objects drawn with another label, and other objects given it. The first two
 * are single cells (one list of images each); the label table shows all four.
 */
export const labelErrors = (counts: readonly ConfusionCount[], labelId: number) => {
  let notDrawn = 0;
  let extra = 0;
  let drawnAsOther = 0;
  let otherDrawnAsIt = 0;
  for (const c of counts) {
    if (c.reference === labelId && c.checked === null) notDrawn += c.count;
    else if (c.reference === null && c.checked === labelId) extra += c.count;
    else if (c.reference === labelId && c.checked !== null && c.checked !== labelId) drawnAsOther += c.count;
    else if (c.checked === labelId && c.reference !== null && c.reference !== labelId)
      otherDrawnAsIt += c.count;
  }
  return { notDrawn, extra, drawnAsOther, otherDrawnAsIt };
};
