import type { DatasetVersion, VersionDiff, VersionDiffImage } from "@labelbench/schema";
import { formatCount } from "../../ui/format";

/** What a version can be compared with: `live` (the project now) or another version's number. */
export type CompareTarget = number | "live";

/** The choices of "Compare with…" for version `n`: the live project first, then the others, newest first. */
export const compareTargets = (
  versions: readonly Pick<DatasetVersion, "number" | "note">[],
  n: number,
): { value: CompareTarget; label: string }[] => [
  { value: "live", label: "The live project (now)" },
  ...versions.filter((v) => v.number !== n).map((v) => ({ value: v.number, label: versionTitle(v) })),
];

/** `Version 3 · first batch` (the note shortened), or `Version 3`. */
export const versionTitle = (v: Pick<DatasetVersion, "number" | "note">, max = 40): string => {
  const note = v.note.trim().replace(/\s+/g, " ");
  if (note === "") return `Version ${v.number}`;
  return `Version ${v.number} · ${note.length > max ? `${note.slice(0, max - 1)}…` : note}`;
};

/** Reads a "Compare with…" select's value back. */
export const parseTarget = (value: string): CompareTarget | null => {
  if (value === "live") return "live";
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : null;
};

/** `+2 −1 ~3` for an image's shape changes, leaving out zeros; `tags` when only its tags changed. */
export const shapeChangeText = (
  i: Pick<VersionDiffImage, "shapesAdded" | "shapesRemoved" | "shapesChanged">,
) => {
  const parts = [
    i.shapesAdded > 0 ? `+${i.shapesAdded}` : "",
    i.shapesRemoved > 0 ? `−${i.shapesRemoved}` : "",
    i.shapesChanged > 0 ? `~${i.shapesChanged}` : "",
  ].filter((p) => p !== "");
  return parts.length > 0 ? parts.join(" ") : "tags";
};

/**
 * What the changed shapes' count holds, beside it: "2 relabeled", "3 with attributes changed"
 * (both subsets of changed, and one shape may be in both); zeros left out.
 */
export const changedShapeNotes = (
  s: Pick<VersionDiff["shapes"], "relabeled" | "attributesChanged">,
): string[] =>
  [
    s.relabeled > 0 ? `${formatCount(s.relabeled)} relabeled` : "",
    s.attributesChanged > 0 ? `${formatCount(s.attributesChanged)} with attributes changed` : "",
  ].filter((n) => n !== "");

/** The split a freeze sends: null for none (the version's exports then split as a live export does). */
export const FREEZE_SPLITS: { label: string; split: string | null }[] = [
  { label: "No frozen split", split: null },
  { label: "80 / 10 / 10", split: "80,10,10" },
  { label: "70 / 20 / 10", split: "70,20,10" },
  { label: "80 / 20", split: "80,20,0" },
];
