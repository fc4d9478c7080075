import type { Geometry } from "@labelbench/schema";
import { type PreparedShape, preparedIou, prepareShape } from "./iou.js";

/**
 * Class-wise non-maximum suppression, as detectors apply it (torchvision's `batched_nms`): within
 * each group (one image's detections of one class), the best-scoring shape is kept and every
 * other overlapping it with IoU above `iouThreshold` is dropped, then the next best left, and so
 * on. Shapes are boxes or polygons (polygon IoU by area of intersection); tag predictions
 * (no geometry) are never suppressed. Ties in score keep the earlier item.
 */
export const classWiseNms = <T extends { readonly geometry: Geometry | null; readonly score: number }>(
  items: readonly T[],
  groupOf: (item: T) => string,
  iouThreshold: number,
): { kept: T[]; suppressed: number } => {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    if (!item.geometry) return;
    const key = groupOf(item);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const dropped = new Uint8Array(items.length);
  for (const members of groups.values()) {
    members.sort((a, b) => (items[b] as T).score - (items[a] as T).score || a - b);
    const kept: PreparedShape[] = [];
    for (const i of members) {
      const shape = prepareShape((items[i] as T).geometry as Geometry);
      // preparedIou stops early (bounds first) when it cannot reach the threshold.
      if (kept.some((k) => preparedIou(k, shape, iouThreshold) > iouThreshold)) dropped[i] = 1;
      else kept.push(shape);
    }
  }
  const kept = items.filter((_, i) => dropped[i] === 0);
  return { kept, suppressed: items.length - kept.length };
};
