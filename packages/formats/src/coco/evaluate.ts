import polygonClipping, { type MultiPolygon, type Polygon } from "polygon-clipping";

/**
 * COCOeval (pycocotools' `cocoeval.py`, detection evaluation) ported rule for rule: detections
 * sorted by score and cut at maxDets per image and category, ground truth ignored when crowd or
 * outside the area range and sorted last, greedy matching per IoU threshold where a crowd region
 * absorbs any number of detections, unmatched detections outside the area range ignored, then the
 * precision envelope read at 101 recall points and `summarize()`'s twelve numbers.
 *
 * Kept on purpose, because the point is to agree with the numbers people publish:
 * - the id-0 quirk: the matcher stores the matched ground truth's *id* and reads 0 as "unmatched",
 *   so a ground-truth object with id 0 turns its true positive into a false positive (a dataset
 *   whose ids start at 0 scores below 1 against itself, exactly as in pycocotools);
 * - thresholds from `np.linspace` (`i * step + start`, the last one exactly the stop), so a recall
 *   of 7/100 does not reach the threshold 7 * 0.01 = 0.07000000000000001, as in NumPy;
 * - `summarize()`'s -1 for a number with nothing to average (no ground truth in that area range).
 *
 * Where it departs, and why:
 * - precision is tp / (tp + fp), not tp / (tp + fp + np.spacing(1)): the epsilon only moves the
 *   16th digit (a perfect score is 1, not 0.9999999999999998) and guards a division that cannot be
 *   0 here (0 when nothing counted yet, as there);
 * - "segm" measures polygons exactly (polygon-clipping) where pycocotools rasterises them to pixel
 *   masks first; IoUs differ by the pixels a boundary cuts (well under 1 % for shapes of a few
 *   hundred pixels), so segm APs agree with pycocotools to about two decimals, not to the bit.
 *   Detection areas (for the area ranges) are then polygon areas, not mask pixel counts.
 */

/** `[x, y, width, height]` in pixels, COCO's bbox. */
export type CocoBox = readonly [number, number, number, number];
/** COCO polygons: each a flat `[x1, y1, x2, y2, …]` list; several make one object. */
export type CocoPolygons = readonly (readonly number[])[];

export interface EvalGroundTruth {
  readonly id: number;
  readonly imageId: number;
  readonly categoryId: number;
  readonly bbox: CocoBox;
  /** The annotation's `area` field: what the area ranges (small/medium/large) read. */
  readonly area: number;
  readonly iscrowd?: boolean;
  /** Required for "segm". */
  readonly segmentation?: CocoPolygons;
}

/** A result entry as `loadRes` reads it; detections are numbered 1..N in the given order, as there. */
export interface EvalDetection {
  readonly imageId: number;
  readonly categoryId: number;
  readonly score: number;
  /** Required for "bbox"; for "segm", derived from the polygons when absent. */
  readonly bbox?: CocoBox;
  /** Required for "segm". */
  readonly segmentation?: CocoPolygons;
}

export interface EvalInput {
  /** `cocoGt.getImgIds()`: every image evaluated, including those with no ground truth. */
  readonly imageIds: readonly number[];
  /** `cocoGt.getCatIds()`: detections of other categories are not evaluated. */
  readonly categoryIds: readonly number[];
  readonly groundTruth: readonly EvalGroundTruth[];
  readonly detections: readonly EvalDetection[];
}

export type IouType = "bbox" | "segm";

/** `COCOeval.stats`, named; -1 where there was nothing to average. */
export interface DetectionSummary {
  /** AP @[IoU=.50:.95 | area=all | maxDets=100]: "mAP". */
  readonly ap: number;
  readonly ap50: number;
  readonly ap75: number;
  readonly apSmall: number;
  readonly apMedium: number;
  readonly apLarge: number;
  readonly ar1: number;
  readonly ar10: number;
  readonly ar100: number;
  readonly arSmall: number;
  readonly arMedium: number;
  readonly arLarge: number;
}

export interface CategoryResult {
  readonly categoryId: number;
  /** AP @[.50:.95], area all, maxDets 100; -1 without (non-crowd) ground truth. */
  readonly ap: number;
  readonly ap50: number;
  /** Non-crowd ground-truth objects of the category. */
  readonly groundTruth: number;
}

export interface DetectionEvaluation {
  readonly summary: DetectionSummary;
  /** The same twelve numbers in `COCOeval.stats` order. */
  readonly stats: readonly number[];
  readonly perCategory: readonly CategoryResult[];
}

/** `np.linspace(start, stop, num)`: `i * step + start`, the last value exactly `stop`. */
const linspace = (start: number, stop: number, num: number): number[] => {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
};

export const IOU_THRESHOLDS: readonly number[] = linspace(0.5, 0.95, 10);
export const RECALL_THRESHOLDS: readonly number[] = linspace(0, 1, 101);
export const MAX_DETS = [1, 10, 100] as const;
const AREA_RANGES = {
  all: [0, 1e5 ** 2],
  small: [0, 32 ** 2],
  medium: [32 ** 2, 96 ** 2],
  large: [96 ** 2, 1e5 ** 2],
} as const;
type AreaName = keyof typeof AREA_RANGES;
const AREA_NAMES: readonly AreaName[] = ["all", "small", "medium", "large"];
const MAX_DET = 100;

interface PreparedGt {
  readonly id: number;
  readonly area: number;
  readonly crowd: boolean;
  readonly box: CocoBox;
  readonly shape: MultiPolygon | null;
  readonly shapeArea: number;
}
interface PreparedDt {
  readonly id: number;
  readonly score: number;
  readonly area: number;
  readonly box: CocoBox;
  readonly shape: MultiPolygon | null;
}

/** Area of a clipping result: outer rings less their holes (shoelace). */
const multiPolygonArea = (mp: MultiPolygon): number => {
  let total = 0;
  for (const polygon of mp) {
    polygon.forEach((ring, i) => {
      let twice = 0;
      for (let k = 0; k < ring.length; k++) {
        const a = ring[k] as [number, number];
        const b = ring[(k + 1) % ring.length] as [number, number];
        twice += a[0] * b[1] - b[0] * a[1];
      }
      total += (i === 0 ? 1 : -1) * Math.abs(twice / 2);
    });
  }
  return total;
};

/** The object's region: the union of its polygons (as a mask is), degenerate ones left out. */
const regionOf = (polygons: CocoPolygons, where: string): MultiPolygon => {
  const parts: Polygon[] = [];
  for (const flat of polygons) {
    if (flat.length < 6 || flat.length % 2 !== 0 || !flat.every(Number.isFinite))
      throw new Error(`${where}: a polygon needs an even count (>= 6) of finite numbers`);
    const ring: [number, number][] = [];
    for (let i = 0; i < flat.length; i += 2) ring.push([flat[i] as number, flat[i + 1] as number]);
    parts.push([ring]);
  }
  if (parts.length === 0) throw new Error(`${where}: segm evaluation needs at least one polygon`);
  const [first, ...rest] = parts as [Polygon, ...Polygon[]];
  return polygonClipping.union(first, ...rest);
};

const boxOfRegion = (mp: MultiPolygon): CocoBox => {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const polygon of mp)
    for (const [x, y] of polygon[0] ?? []) {
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  return Number.isFinite(minX) ? [minX, minY, maxX - minX, maxY - minY] : [0, 0, 0, 0];
};

/** maskUtils' bbIou: intersection over union, or over the detection's area for a crowd region. */
const boxIou = (d: CocoBox, g: CocoBox, crowd: boolean): number => {
  const iw = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
  if (iw <= 0) return 0;
  const ih = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
  if (ih <= 0) return 0;
  const inter = iw * ih;
  const da = d[2] * d[3];
  return inter / (crowd ? da : da + g[2] * g[3] - inter);
};

const regionIou = (d: PreparedDt, g: PreparedGt): number => {
  if (boxIou(d.box, g.box, false) === 0) return 0;
  const inter = multiPolygonArea(polygonClipping.intersection(d.shape ?? [], g.shape ?? []));
  if (inter <= 0) return 0;
  const union = g.crowd ? d.area : d.area + g.shapeArea - inter;
  return union > 0 ? inter / union : 0;
};

/** Indices sorted by a key, stable (NumPy's `kind="mergesort"`). */
const stableOrder = (n: number, key: (i: number) => number): number[] =>
  Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);

/** `np.searchsorted(sorted, v, side="left")`. */
const searchLeft = (sorted: readonly number[], v: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

interface ImageEval {
  readonly dtScores: readonly number[];
  /** Per IoU threshold: the matched ground truth's id per detection (0: none, or id 0). */
  readonly dtMatches: readonly (readonly number[])[];
  readonly dtIgnore: readonly (readonly boolean[])[];
  readonly gtIgnore: readonly boolean[];
}

/** `evaluateImg` for one image, category and area range (maxDet 100). */
const evaluateImage = (
  gts: readonly PreparedGt[],
  dts: readonly PreparedDt[],
  ious: readonly (readonly number[])[],
  range: readonly [number, number],
): ImageEval | null => {
  if (gts.length === 0 && dts.length === 0) return null;
  const ignoreOf = (g: PreparedGt) => g.crowd || g.area < range[0] || g.area > range[1];
  const gtOrder = stableOrder(gts.length, (i) => (ignoreOf(gts[i] as PreparedGt) ? 1 : 0));
  const gt = gtOrder.map((i) => gts[i] as PreparedGt);
  const gtIg = gt.map(ignoreOf);
  // `dts` arrive sorted by score and cut at maxDet, the rows of `ious` in that order.
  const dtMatches = IOU_THRESHOLDS.map(() => dts.map(() => 0));
  const dtIgnore = IOU_THRESHOLDS.map(() => dts.map(() => false));
  IOU_THRESHOLDS.forEach((t, ti) => {
    const gtm = gt.map(() => 0);
    const dtm = dtMatches[ti] as number[];
    const dtIg = dtIgnore[ti] as boolean[];
    dts.forEach((d, di) => {
      let best = Math.min(t, 1 - 1e-10);
      let m = -1;
      for (let gi = 0; gi < gt.length; gi++) {
        if ((gtm[gi] as number) > 0 && !(gt[gi] as PreparedGt).crowd) continue;
        if (m > -1 && !gtIg[m] && gtIg[gi]) break;
        const v = ious[di]?.[gtOrder[gi] as number] ?? 0;
        if (v < best) continue;
        best = v;
        m = gi;
      }
      if (m === -1) return;
      dtIg[di] = gtIg[m] as boolean;
      dtm[di] = (gt[m] as PreparedGt).id;
      gtm[m] = d.id;
    });
    dts.forEach((d, di) => {
      if (dtm[di] === 0 && (d.area < range[0] || d.area > range[1])) dtIg[di] = true;
    });
  });
  return { dtScores: dts.map((d) => d.score), dtMatches, dtIgnore, gtIgnore: gtIg };
};

interface Accumulated {
  /** [t][r] precision, or null (-1 everywhere) when the category had no ground truth to count. */
  readonly precision: (readonly number[] | null)[];
  readonly recall: (number | null)[];
}

/** `accumulate` for one category, area range and maxDets. */
const accumulate = (evals: readonly ImageEval[], maxDet: number): Accumulated => {
  const empty: Accumulated = {
    precision: IOU_THRESHOLDS.map(() => null),
    recall: IOU_THRESHOLDS.map(() => null),
  };
  if (evals.length === 0) return empty;
  const scores: number[] = [];
  const matches: number[][] = IOU_THRESHOLDS.map(() => []);
  const ignores: boolean[][] = IOU_THRESHOLDS.map(() => []);
  let npig = 0;
  for (const e of evals) {
    const n = Math.min(maxDet, e.dtScores.length);
    for (let i = 0; i < n; i++) scores.push(e.dtScores[i] as number);
    IOU_THRESHOLDS.forEach((_, t) => {
      (matches[t] as number[]).push(...(e.dtMatches[t] as number[]).slice(0, n));
      (ignores[t] as boolean[]).push(...(e.dtIgnore[t] as boolean[]).slice(0, n));
    });
    for (const ig of e.gtIgnore) if (!ig) npig++;
  }
  if (npig === 0) return empty;
  const order = stableOrder(scores.length, (i) => -(scores[i] as number));
  const precision: number[][] = [];
  const recall: number[] = [];
  IOU_THRESHOLDS.forEach((_, t) => {
    const dtm = matches[t] as number[];
    const dtIg = ignores[t] as boolean[];
    let tp = 0;
    let fp = 0;
    const rc: number[] = [];
    const pr: number[] = [];
    for (const i of order) {
      if (!dtIg[i]) {
        if (dtm[i] !== 0) tp++;
        else fp++;
      }
      rc.push(tp / npig);
      pr.push(tp + fp === 0 ? 0 : tp / (tp + fp));
    }
    recall.push(rc.length > 0 ? (rc[rc.length - 1] as number) : 0);
    for (let i = pr.length - 1; i > 0; i--)
      if ((pr[i] as number) > (pr[i - 1] as number)) pr[i - 1] = pr[i] as number;
    precision.push(
      RECALL_THRESHOLDS.map((r) => {
        const at = searchLeft(rc, r);
        return at < pr.length ? (pr[at] as number) : 0;
      }),
    );
  });
  return { precision, recall };
};

const mean = (values: readonly number[]): number =>
  values.length === 0 ? -1 : values.reduce((a, b) => a + b, 0) / values.length;

const keyOf = (imageId: number, categoryId: number) => `${imageId}|${categoryId}`;

/**
 * COCOeval's evaluate → accumulate → summarize on one ground truth and one results list. Throws
 * (as `loadRes` asserts) when a detection names an image that is not in `imageIds`.
 */
export const evaluateDetections = (input: EvalInput, options: { iouType: IouType }): DetectionEvaluation => {
  const segm = options.iouType === "segm";
  const images = [...new Set(input.imageIds)].sort((a, b) => a - b);
  const imageSet = new Set(images);
  const categories = [...new Set(input.categoryIds)].sort((a, b) => a - b);
  const categorySet = new Set(categories);

  const gtsBy = new Map<string, PreparedGt[]>();
  input.groundTruth.forEach((g, i) => {
    if (!categorySet.has(g.categoryId) || !imageSet.has(g.imageId)) return;
    let shape: MultiPolygon | null = null;
    if (segm) {
      if (!g.segmentation) throw new Error(`groundTruth[${i}]: segm evaluation needs its polygons`);
      shape = regionOf(g.segmentation, `groundTruth[${i}].segmentation`);
    }
    const prepared: PreparedGt = {
      id: g.id,
      area: g.area,
      crowd: g.iscrowd === true,
      box: shape ? boxOfRegion(shape) : g.bbox,
      shape,
      shapeArea: shape ? multiPolygonArea(shape) : g.bbox[2] * g.bbox[3],
    };
    const key = keyOf(g.imageId, g.categoryId);
    const list = gtsBy.get(key);
    if (list) list.push(prepared);
    else gtsBy.set(key, [prepared]);
  });

  const dtsBy = new Map<string, PreparedDt[]>();
  input.detections.forEach((d, i) => {
    if (!imageSet.has(d.imageId))
      throw new Error(`detections[${i}]: image ${d.imageId} is not in the ground truth's images`);
    let shape: MultiPolygon | null = null;
    let box: CocoBox;
    let area: number;
    if (segm) {
      if (!d.segmentation) throw new Error(`detections[${i}]: segm evaluation needs its polygons`);
      shape = regionOf(d.segmentation, `detections[${i}].segmentation`);
      box = d.bbox ?? boxOfRegion(shape);
      area = multiPolygonArea(shape);
    } else {
      if (!d.bbox) throw new Error(`detections[${i}]: bbox evaluation needs its bbox`);
      box = d.bbox;
      area = d.bbox[2] * d.bbox[3];
    }
    const prepared: PreparedDt = { id: i + 1, score: d.score, area, box, shape };
    const key = keyOf(d.imageId, d.categoryId);
    const list = dtsBy.get(key);
    if (list) list.push(prepared);
    else dtsBy.set(key, [prepared]);
  });

  // [categoryIndex][areaIndex][maxDetsIndex]
  const results: Accumulated[][][] = [];
  const gtCounts: number[] = [];
  for (const cat of categories) {
    const perImage = images.map((img) => {
      const key = keyOf(img, cat);
      const gts = gtsBy.get(key) ?? [];
      const all = dtsBy.get(key) ?? [];
      const order = stableOrder(all.length, (i) => -(all[i] as PreparedDt).score);
      const dts = order.slice(0, MAX_DET).map((i) => all[i] as PreparedDt);
      const ious = dts.map((d) => gts.map((g) => (segm ? regionIou(d, g) : boxIou(d.box, g.box, g.crowd))));
      return { gts, dts, ious };
    });
    gtCounts.push(perImage.reduce((n, p) => n + p.gts.filter((g) => !g.crowd).length, 0));
    results.push(
      AREA_NAMES.map((name) => {
        const range = AREA_RANGES[name];
        const evals = perImage
          .map((p) => evaluateImage(p.gts, p.dts, p.ious, range))
          .filter((e): e is ImageEval => e !== null);
        return MAX_DETS.map((m) => accumulate(evals, m));
      }),
    );
  }

  const areaIndex = (a: AreaName) => AREA_NAMES.indexOf(a);
  const detIndex = (m: (typeof MAX_DETS)[number]) => MAX_DETS.indexOf(m);
  const ap = (
    thresholds: readonly number[] | null,
    area: AreaName,
    m: (typeof MAX_DETS)[number],
    cats = results,
  ) => {
    const values: number[] = [];
    for (const perArea of cats) {
      const acc = perArea[areaIndex(area)]?.[detIndex(m)];
      acc?.precision.forEach((q, t) => {
        if (q && (thresholds === null || thresholds.includes(t))) values.push(...q);
      });
    }
    return mean(values);
  };
  const ar = (area: AreaName, m: (typeof MAX_DETS)[number]) => {
    const values: number[] = [];
    for (const perArea of results)
      for (const r of perArea[areaIndex(area)]?.[detIndex(m)]?.recall ?? []) if (r !== null) values.push(r);
    return mean(values);
  };
  const summary: DetectionSummary = {
    ap: ap(null, "all", 100),
    ap50: ap([0], "all", 100),
    ap75: ap([5], "all", 100),
    apSmall: ap(null, "small", 100),
    apMedium: ap(null, "medium", 100),
    apLarge: ap(null, "large", 100),
    ar1: ar("all", 1),
    ar10: ar("all", 10),
    ar100: ar("all", 100),
    arSmall: ar("small", 100),
    arMedium: ar("medium", 100),
    arLarge: ar("large", 100),
  };
  return {
    summary,
    stats: Object.values(summary),
    perCategory: categories.map((categoryId, k) => {
      const own = results.slice(k, k + 1);
      return {
        categoryId,
        ap: ap(null, "all", 100, own),
        ap50: ap([0], "all", 100, own),
        groundTruth: gtCounts[k] ?? 0,
      };
    }),
  };
};
