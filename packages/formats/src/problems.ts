import type { Problem } from "./types.js";

/** `labels/train/img_004.txt line 3: class 7 not in data.yaml names (0-4)` */
export const formatProblem = (p: Problem): string => `${p.file}${p.where ? ` ${p.where}` : ""}: ${p.message}`;

/** Collects problems; past `limit` it only counts, so a broken million-line file cannot flood memory. */
export class ProblemLog {
  readonly items: Problem[] = [];
  errors = 0;
  warnings = 0;

  constructor(private readonly limit = 1000) {}

  private add(p: Problem) {
    if (p.severity === "error") this.errors++;
    else this.warnings++;
    if (this.items.length < this.limit) this.items.push(p);
  }

  error(file: string, where: string | undefined, message: string) {
    this.add(
      where === undefined
        ? { severity: "error", file, message }
        : { severity: "error", file, where, message },
    );
  }

  warn(file: string, where: string | undefined, message: string) {
    this.add(
      where === undefined
        ? { severity: "warning", file, message }
        : { severity: "warning", file, where, message },
    );
  }

  /** The kept problems plus one line saying how many more there were. */
  list(): Problem[] {
    const shown = this.items.length;
    const total = this.errors + this.warnings;
    if (shown >= total) return this.items;
    return [
      ...this.items,
      {
        severity: this.errors > this.items.filter((p) => p.severity === "error").length ? "error" : "warning",
        file: "(import)",
        message: `${total - shown} more problem(s) not listed`,
      },
    ];
  }
}
