import type { BulkResult } from "@labelbench/schema";
import { plural } from "../../ui/format";

const DONE_WORD: Record<string, string> = {
  delete: "deleted",
  setStatus: "changed",
  assign: "changed",
  addTags: "tagged",
  removeTags: "untagged",
  toggleTag: "changed",
  move: "moved",
};

/**
 * What a bulk action did, for its toast: "3 moved · 1 already there · 2 refused: image 12 is …".
 * Every per-image failure is counted, and the first one's reason named.
 */
export const bulkSummary = (r: BulkResult): { text: string; failed: number } => {
  const n = (s: string) => r.results.filter((x) => x.status === s).length;
  const failures = r.results.filter((x) => x.status === "refused" || x.status === "missing");
  const changed = r.action === "delete" ? r.changed : n("changed");
  const word =
    r.action === "toggleTag" ? (r.toggled === "removed" ? "untagged" : "tagged") : DONE_WORD[r.action];
  const parts = [`${plural(changed, "image")} ${word ?? "changed"}`];
  const unchanged = n("unchanged");
  if (unchanged > 0) parts.push(`${unchanged} already so`);
  const first = failures[0];
  if (first)
    parts.push(
      `${failures.length} not changed: image ${first.imageId}${first.reason ? ` (${first.reason})` : ""}${failures.length > 1 ? ", …" : ""}`,
    );
  return { text: parts.join(" · "), failed: failures.length };
};

/** "Delete 3 images and their 12 annotations?" — the confirmation names both numbers. */
export const deleteQuestion = (images: number, annotations: number): string =>
  annotations === 0
    ? `Delete ${plural(images, "image")}? They have no annotations.`
    : `Delete ${plural(images, "image")} and ${annotations === 1 ? "its" : "their"} ${plural(annotations, "annotation")}?`;
