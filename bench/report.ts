import os from "node:os";

/** One line of the benchmark table. `pass` is null where a figure is reported without a target. */
export interface Row {
  case: string;
  figure: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean | null;
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

export const renderTable = (rows: Row[]): string => {
  const header = ["case", "figure", "value", "target", "ok"];
  const lines = rows.map((r) => [
    r.case,
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.target,
    r.pass === null ? "" : r.pass ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(line)].join("\n");
};

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
};
