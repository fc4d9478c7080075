import { polygonArea, type Vertex } from "@labelbench/geometry";

/**
 * One rule for a segmentation of several outlines (a COCO annotation's polygon list, a results
 * entry's polygons, the regions of an RLE mask): a Labelbench shape is one polygon, so **every
 * outline becomes its own shape**, except specks whose area is below `MIN_OUTLINE_AREA` square
 * pixels. A region of a single mask pixel traces to a diamond of half a pixel (the outline cuts its
 * corners at the half-way threshold): anti-aliasing noise at a mask's edge, never an object. When
 * every outline is a speck (one tiny polygon drawn on purpose, a one-pixel mask) the largest is kept:
 * smallness alone never loses a whole segmentation. Holes are not kept (a polygon has none): whoever
 * splits reports them.
 */
export const MIN_OUTLINE_AREA = 1;

export interface KeptOutlines<T> {
  /** The outlines kept, in their order. */
  readonly kept: T[];
  /** How many were left out as specks. */
  readonly specks: number;
}

export const keepOutlines = <T extends readonly Vertex[]>(outlines: readonly T[]): KeptOutlines<T> => {
  const areas = outlines.map((o) => polygonArea(o));
  let kept = outlines.filter((_, i) => (areas[i] as number) >= MIN_OUTLINE_AREA);
  if (kept.length === 0 && outlines.length > 0) {
    const largest = areas.indexOf(Math.max(...areas));
    kept = [outlines[largest] as T];
  }
  return { kept, specks: outlines.length - kept.length };
};
