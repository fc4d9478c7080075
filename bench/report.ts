import os from "node:os";

/** One line of the benchmark table. `pass` is null where a figure is reported without a target. */
export interface Row {
  case: string;
  figure: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean | null;
  /** The database the server ran on, for the cases run on both (bench/backends.ts). */
  backend?: "sqlite" | "postgres";
}

export const row = (
  c: string,
  figure: string,
  value: number,
  unit: string,
  target?: { max?: number; min?: number },
): Row => {
  let pass: boolean | null = null;
  let t = "—";
  if (target?.max !== undefined) {
    pass = value <= target.max;
    t = `≤ ${target.max} ${unit}`;
  } else if (target?.min !== undefined) {
    pass = value >= target.min;
    t = `≥ ${target.min} ${unit}`;
  }
  return { case: c, figure, value, unit, target: t, pass };
};

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);

export const machine = () =>
  `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;

const cellsOf = (r: Row) => ({
  value: `${fmt(r.value)} ${r.unit}`,
  ok: r.pass === null ? "" : r.pass ? "yes" : "NO",
});

const line = (header: string[], lines: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const one = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [one(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(one)].join("\n");
};

/**
 * One line per figure. When some cases ran on both databases, their SQLite and PostgreSQL values
 * stand side by side (the other cases' values, all on the default SQLite server or on no server at
 * all, are in the first value column), and "ok" reads "SQLite / PostgreSQL".
 */
export const renderTable = (rows: Row[]): string => {
  if (!rows.some((r) => r.backend === "postgres")) {
    const lines = rows.map((r) => [r.case, r.figure, cellsOf(r).value, r.target, cellsOf(r).ok]);
    return line(["case", "figure", "value", "target", "ok"], lines);
  }
  const byFigure = new Map<string, { first: Row; sqlite?: Row; postgres?: Row }>();
  for (const r of rows) {
    const key = `${r.case}\u0000${r.figure}`;
    const entry = byFigure.get(key) ?? { first: r };
    if (r.backend === "postgres") entry.postgres = r;
    else entry.sqlite = r;
    byFigure.set(key, entry);
  }
  const lines = [...byFigure.values()].map(({ first, sqlite, postgres }) => {
    const a = sqlite ? cellsOf(sqlite) : null;
    const b = postgres ? cellsOf(postgres) : null;
    const ok =
      first.backend && a && b ? (a.ok || b.ok ? `${a.ok || "—"} / ${b.ok || "—"}` : "") : (a ?? b)?.ok;
    return [first.case, first.figure, a?.value ?? "", b?.value ?? "", first.target, ok ?? ""];
  });
  return line(["case", "figure", "value (SQLite)", "PostgreSQL", "target", "ok"], lines);
};

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
};
