import type { ImagesScope } from "./quality-scope";
import { formatWeek } from "./report-model";

const OUTCOME_WORDS: Record<NonNullable<ImagesScope["outcome"]>, string> = {
  tp: "with matched shapes",
  fp: "with extra shapes",
  fn: "with missing shapes",
  mismatched: "with shapes of the wrong label",
  lowOverlap: "with loose outlines (low overlap)",
  tagFp: "with extra tags",
  tagFn: "with missing tags",
};

/** The drill-down's count column, named after what it counts on each image. */
const COUNT_LABEL: Record<NonNullable<ImagesScope["outcome"]>, string> = {
  tp: "Matched",
  fp: "Extra",
  fn: "Missing",
  mismatched: "Wrong label",
  lowOverlap: "Loose",
  tagFp: "Extra tags",
  tagFn: "Missing tags",
};

const KIND_WORDS: Record<ImagesScope["kind"], string> = {
  gold: "checked against the reference",
  overlap: "in blind overlap",
  audit: "audited",
};

/**
 * The drill-down's heading in words, so whoever opens a shared link knows which count it lists:
 * "Images with missing shapes · Bea · person · week of 2 Nov 2026 · checked against gold".
 */
export const describeImagesScope = (
  s: ImagesScope,
  nameOfUser: (id: number) => string | null,
  nameOfLabel: (id: number) => string | null,
): { title: string; parts: string[]; countLabel: string } => {
  const label = (id: number) => nameOfLabel(id) ?? `label #${id}`;
  let title = "Images";
  if (s.reference !== undefined && s.checked !== undefined) {
    const r = s.reference;
    const c = s.checked;
    title =
      r === "none"
        ? c === "none"
          ? "Images"
          : `Images with an extra ${label(c)}`
        : c === "none"
          ? `Images where a ${label(r)} was not drawn`
          : r === c
            ? `Images with a matched ${label(r)}`
            : `Images where a ${label(r)} was drawn as ${label(c)}`;
  } else if (s.outcome) title = `Images ${OUTCOME_WORDS[s.outcome]}`;
  const parts: string[] = [];
  if (s.annotatorId !== undefined) parts.push(nameOfUser(s.annotatorId) ?? `user #${s.annotatorId}`);
  if (s.labelId !== undefined) parts.push(label(s.labelId));
  if (s.week) parts.push(formatWeek(s.week).replace(/^Week/, "week"));
  if (s.from || s.to) parts.push(`${s.from ?? "…"} to ${s.to ?? "now"}`);
  parts.push(KIND_WORDS[s.kind]);
  const cell = s.reference !== undefined || s.checked !== undefined || s.labelId !== undefined;
  const countLabel = cell ? "Shapes" : s.outcome ? COUNT_LABEL[s.outcome] : "Errors";
  return { title, parts, countLabel };
};
