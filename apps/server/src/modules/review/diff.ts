import type { ReviewDiff } from "@labelbench/schema";

/** A shape as the diff compares it: its id, label and geometry (any JSON value). */
export interface DiffShape {
  id: string;
  labelId: number;
  geometry: unknown;
}

/**
 * JSON with object keys in sorted order, so two geometries equal in value compare equal whatever
 * order their keys were written in (the baseline was parsed and written again, the current rows not).
 */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, value: unknown) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : value,
  );

/**
 * What changed between the shapes and tags at the last decision (`before`) and now (`after`), by
 * shape id: added, removed (with the shape as it was), changed (label, geometry or both, with the
 * shape as it was); tags added and removed. Orders follow `after` (added, changed) and `before`
 * (removed), so an overlay lists them as the image does.
 */
export const reviewDiff = (
  before: { shapes: readonly DiffShape[]; tags: readonly number[] },
  after: { shapes: readonly DiffShape[]; tags: readonly number[] },
): Pick<ReviewDiff, "added" | "removed" | "changed" | "tagsAdded" | "tagsRemoved"> => {
  const old = new Map(before.shapes.map((s) => [s.id, s]));
  const now = new Set(after.shapes.map((s) => s.id));
  const added: string[] = [];
  const changed: ReviewDiff["changed"] = [];
  for (const s of after.shapes) {
    const was = old.get(s.id);
    if (!was) {
      added.push(s.id);
      continue;
    }
    const labelChanged = was.labelId !== s.labelId;
    const geometryChanged = canonical(was.geometry) !== canonical(s.geometry);
    if (labelChanged || geometryChanged)
      changed.push({
        id: s.id,
        labelChanged,
        geometryChanged,
        before: { labelId: was.labelId, geometry: was.geometry },
      });
  }
  const removed = before.shapes
    .filter((s) => !now.has(s.id))
    .map((s) => ({ id: s.id, labelId: s.labelId, geometry: s.geometry }));
  const tagsBefore = new Set(before.tags);
  const tagsAfter = new Set(after.tags);
  return {
    added,
    removed,
    changed,
    tagsAdded: after.tags.filter((t) => !tagsBefore.has(t)),
    tagsRemoved: before.tags.filter((t) => !tagsAfter.has(t)),
  };
};
