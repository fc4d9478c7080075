import type { ImageStatus } from "@labelbench/schema";

const int = new Intl.NumberFormat("en-US");
export const formatCount = (n: number) => int.format(n);

/** "1 image", "2 images", "1,000 images". */
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

export const formatBytes = (n: number): string => {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
};

export const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 100) : 0);

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
/** "3 minutes ago", "yesterday"; exact dates beyond a month. */
export const formatRelative = (iso: string, now = Date.now()): string => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return "just now";
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86_400) return rtf.format(Math.round(s / 3600), "hour");
  if (abs < 30 * 86_400) return rtf.format(Math.round(s / 86_400), "day");
  return new Date(t).toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric" });
};

export const STATUS_LABEL: Record<ImageStatus, string> = {
  new: "New",
  in_progress: "In progress",
  done: "Done",
  skipped: "Skipped",
};
