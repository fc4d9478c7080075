import { contours } from "d3-contour";
import simplify from "simplify-js";

/**
 * COCO's run-length encoded masks, as pycocotools writes them (maskApi.c): runs of 0s and 1s
 * alternating (starting with 0s), over the image column by column (Fortran order), `size` [h, w].
 * `counts` is a list of numbers (uncompressed) or pycocotools' compressed string: each run a
 * difference from the run two before (after the first two), 5 bits a character offset by 48, a
 * 0x20 bit saying another character follows, and a 0x10 bit on the last one for negatives.
 */

export interface Rle {
  readonly height: number;
  readonly width: number;
  readonly counts: readonly number[];
}

/** The runs of a compressed counts string (pycocotools' rleFrString), or a reason. */
export const decodeRleString = (s: string): number[] | string => {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) return `the counts string ends inside a run (at character ${p})`;
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) return `character ${JSON.stringify(s[p])} at ${p} is not in pycocotools' alphabet`;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10) !== 0) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2] as number;
    counts.push(x);
  }
  return counts;
};

/** An RLE `segmentation` object checked: the runs, all non-negative, covering h×w exactly. */
export const readRle = (seg: { size?: unknown; counts?: unknown }): Rle | string => {
  const size = seg.size;
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((n) => typeof n === "number" && Number.isInteger(n) && n > 0)
  )
    return "an RLE mask needs `size`: [height, width], two positive integers";
  const [height, width] = size as [number, number];
  let counts: number[];
  if (typeof seg.counts === "string") {
    const decoded = decodeRleString(seg.counts);
    if (typeof decoded === "string") return `compressed RLE counts: ${decoded}`;
    counts = decoded;
  } else if (
    Array.isArray(seg.counts) &&
    seg.counts.every((n) => typeof n === "number" && Number.isInteger(n))
  ) {
    counts = seg.counts as number[];
  } else return "RLE `counts` must be pycocotools' compressed string or a list of integers";
  let total = 0;
  for (const c of counts) {
    if (c < 0) return `RLE counts hold a negative run (${c})`;
    total += c;
  }
  if (total !== height * width)
    return `RLE counts cover ${total} pixels, not the ${height}x${width} = ${height * width} of its size`;
  return { height, width, counts };
};

/** The mask row by row (1 inside), as contour tracing reads it. */
export const rleToMask = (rle: Rle): Uint8Array => {
  const { height, width } = rle;
  const mask = new Uint8Array(height * width);
  let i = 0;
  let value = 0;
  for (const run of rle.counts) {
    if (value === 1)
      for (let j = i; j < i + run; j++) {
        const col = Math.floor(j / height);
        const row = j - col * height;
        mask[row * width + col] = 1;
      }
    i += run;
    value ^= 1;
  }
  return mask;
};

/** COCO's bbox of a mask (pycocotools' toBbox): [x, y, w, h] of its pixels, or null when empty. */
export const maskBox = (rle: Rle): [number, number, number, number] | null => {
  const { height } = rle;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  let i = 0;
  let value = 0;
  for (const run of rle.counts) {
    if (value === 1 && run > 0) {
      const first = i;
      const last = i + run - 1;
      const c0 = Math.floor(first / height);
      const c1 = Math.floor(last / height);
      minX = Math.min(minX, c0);
      maxX = Math.max(maxX, c1);
      // A run within one column spans its rows; one across columns reaches the last row of its
      // first column and the first row of its last.
      if (c0 === c1) {
        minY = Math.min(minY, first - c0 * height);
        maxY = Math.max(maxY, last - c1 * height);
      } else {
        minY = 0;
        maxY = height - 1;
      }
    }
    i += run;
    value ^= 1;
  }
  return maxX < 0 ? null : [minX, minY, maxX - minX + 1, maxY - minY + 1];
};

const ringArea = (ring: readonly (readonly number[])[]): number => {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const p = ring[i] as number[];
    const q = ring[j] as number[];
    a += (q[0] as number) * (p[1] as number) - (p[0] as number) * (q[1] as number);
  }
  return Math.abs(a) / 2;
};

export interface TracedMask {
  /**
   * The outline of each of the mask's regions, largest first, each simplified, in image pixels.
   * Which to keep is `keepOutlines`' rule (outlines.ts), the same as for a polygon list.
   */
  readonly outlines: [number, number][][];
  /** Holes in the regions, all together (a polygon has none: they are not kept). */
  readonly holes: number;
}

/**
 * The mask's outer contours, traced by marching squares (d3-contour) at 0.5 between the pixel
 * centres, so a region's outline runs along its pixels' edges; each simplified (Douglas-Peucker,
 * from half a pixel up) until it has at most `maxVertices`. Null for an empty mask. Only the mask's
 * bounding box (padded by a pixel) is traced: a detection covers a small part of its image.
 */
export const traceMask = (rle: Rle, maxVertices = 200): TracedMask | null => {
  const box = maskBox(rle);
  if (!box) return null;
  const mask = rleToMask(rle);
  const [bx, by, bw, bh] = box;
  // Padded by one pixel of 0s on each side, so every ring closes inside the grid.
  const w = bw + 2;
  const h = bh + 2;
  const values: number[] = new Array(w * h).fill(0);
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++)
      values[(y + 1) * w + (x + 1)] = mask[(by + y) * rle.width + (bx + x)] as number;
  const [multi] = contours().size([w, h]).thresholds([0.5]).smooth(false)(values);
  const polygons = [...(multi?.coordinates ?? [])]
    .map((poly) => ({ poly, area: ringArea(poly[0] ?? []) }))
    .sort((a, b) => b.area - a.area);
  if (polygons.length === 0) return null;
  // d3-contour centres grid value i at i + 0.5, so grid pixel (x, y) spans [x, x + 1]: less the
  // padding and plus the crop's corner, image pixel (x, y) spans [x, x + 1], the outline runs
  // along its edges (corners cut by the 0.5 threshold), and a mask's bounds are COCO's bbox.
  const outline = (ring: readonly (readonly number[])[]): [number, number][] => {
    const outer = ring
      .slice(0, -1)
      .map((p) => ({ x: (p[0] as number) - 1 + bx, y: (p[1] as number) - 1 + by }));
    let tolerance = 0.5;
    let simple = simplify(outer, tolerance, true);
    while (simple.length > maxVertices) {
      tolerance *= 1.5;
      simple = simplify(outer, tolerance, true);
    }
    return simple.map((p) => [p.x, p.y]);
  };
  return {
    outlines: polygons.map(({ poly }) => outline(poly[0] ?? [])),
    holes: polygons.reduce((n, { poly }) => n + poly.length - 1, 0),
  };
};
