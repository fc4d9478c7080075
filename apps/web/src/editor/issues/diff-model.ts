import type { Shape } from "@labelbench/editor";
import { Geometry, type ReviewDiff } from "@labelbench/schema";

/** One shape of the re-review overlay, in image pixels. */
export interface DiffShape {
  id: string;
  geometry: Geometry;
}

/** What the re-review overlay draws: what changed since the last decision (GET /images/:id/review-diff). */
export interface DiffMarks {
  /** New since the decision: outlined green, where they are now. */
  added: DiffShape[];
  /** Changed: outlined orange where they are now, `before` ghosted where they were. */
  changed: (DiffShape & { before: Geometry; labelChanged: boolean })[];
  /** Removed since: red dashed ghosts where they were. */
  removed: DiffShape[];
  counts: { added: number; changed: number; removed: number; tagsAdded: number; tagsRemoved: number };
}

const geometryOf = (g: unknown): Geometry | null => {
  const parsed = Geometry.safeParse(g);
  return parsed.success ? parsed.data : null;
};

/**
 * The overlay's marks: the server's diff read against the shapes the editor holds now, so an added
 * or changed shape is outlined where it is (also after the reviewer moved it); one the editor no
 * longer holds is left out. The counts are the server's, so the legend matches the review.
 */
export const diffMarks = (diff: ReviewDiff, shapes: ReadonlyMap<string, Shape>): DiffMarks => {
  const added: DiffShape[] = [];
  for (const id of diff.added) {
    const s = shapes.get(id);
    if (s) added.push({ id, geometry: s.geometry });
  }
  const changed: DiffMarks["changed"] = [];
  for (const c of diff.changed) {
    const s = shapes.get(c.id);
    const before = geometryOf(c.before.geometry);
    if (s && before) changed.push({ id: c.id, geometry: s.geometry, before, labelChanged: c.labelChanged });
  }
  const removed: DiffShape[] = [];
  for (const r of diff.removed) {
    const g = geometryOf(r.geometry);
    if (g) removed.push({ id: r.id, geometry: g });
  }
  return {
    added,
    changed,
    removed,
    counts: {
      added: diff.added.length,
      changed: diff.changed.length,
      removed: diff.removed.length,
      tagsAdded: diff.tagsAdded.length,
      tagsRemoved: diff.tagsRemoved.length,
    },
  };
};

/** Whether the image has a baseline to compare with (it was decided once): the overlay starts on then. */
export const hasBaseline = (diff: ReviewDiff | null): boolean => diff !== null && diff.baseRevision !== null;
