import { boundsToRect, polygonBounds, type Rect } from "@labelbench/geometry";
import type { Geometry, IssueAnchor } from "@labelbench/schema";

/** The image's size in pixels, which point and region anchors must lie within. */
export interface ImageSize {
  width: number;
  height: number;
}

const fmt = (n: number) => String(Math.round(n * 100) / 100);

/**
 * Why a point or region anchor cannot be pinned on an image of `size` (it lies outside the image,
 * edges included), or null when it can. Shape anchors are checked against the image's shapes instead.
 */
export const anchorOutside = (anchor: IssueAnchor, size: ImageSize): string | null => {
  const where = `the image ${size.width}x${size.height}`;
  switch (anchor.kind) {
    case "point":
      return anchor.x < 0 || anchor.y < 0 || anchor.x > size.width || anchor.y > size.height
        ? `point (${fmt(anchor.x)}, ${fmt(anchor.y)}) lies outside ${where}`
        : null;
    case "region":
      return anchor.x < 0 ||
        anchor.y < 0 ||
        anchor.x + anchor.width > size.width ||
        anchor.y + anchor.height > size.height
        ? `region [${fmt(anchor.x)}, ${fmt(anchor.y)}, ${fmt(anchor.x + anchor.width)}, ${fmt(anchor.y + anchor.height)}] lies outside ${where}`
        : null;
    case "shape":
      return null;
  }
};

/** A shape's bounding box: where a shape anchor shows once the shape itself is gone. */
export const geometryBox = (g: Geometry): Rect =>
  g.type === "box"
    ? { x: g.x, y: g.y, width: g.width, height: g.height }
    : boundsToRect(polygonBounds(g.points));
