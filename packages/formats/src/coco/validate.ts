/**
 * What pycocotools relies on, checked without Python (PyPI is out of reach here): the rules
 * `COCO()` (createIndex), `loadRes` and `COCOeval` take for granted, and a faithful port of
 * COCOeval's bbox AP (IoU .50:.05:.95, 101 recall points, maxDets 100, area "all") to evaluate a
 * file against itself. A correct export scores 1.0; annotation id 0 scores less, exactly as in
 * pycocotools, whose matcher uses 0 for "unmatched".
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Every rule a COCO instances file breaks, as `field: what is wrong`; empty when it is sound. */
export const validateCocoForPycocotools = (doc: unknown): string[] => {
  const out: string[] = [];
  if (!isObject(doc)) return ["(root): not a JSON object"];
  for (const k of ["info", "licenses", "images", "annotations", "categories"]) {
    if (!(k in doc)) out.push(`${k}: missing`);
  }
  if (!isObject(doc.info)) out.push("info: not an object");
  if (!Array.isArray(doc.licenses)) out.push("licenses: not a list");
  const images = Array.isArray(doc.images) ? doc.images : [];
  const annotations = Array.isArray(doc.annotations) ? doc.annotations : [];
  const categories = Array.isArray(doc.categories) ? doc.categories : [];

  const imageSize = new Map<number, { w: number; h: number }>();
  images.forEach((im: unknown, i) => {
    const at = `images[${i}]`;
    if (!isObject(im)) {
      out.push(`${at}: not an object`);
      return;
    }
    if (!isInt(im.id)) {
      out.push(`${at}.id: not an integer`);
      return;
    }
    if (imageSize.has(im.id)) out.push(`${at}.id: duplicate ${im.id} (createIndex keeps only the last)`);
    if (typeof im.file_name !== "string" || im.file_name === "") out.push(`${at}.file_name: missing`);
    if (!isInt(im.width) || im.width <= 0 || !isInt(im.height) || im.height <= 0)
      out.push(`${at}: width/height must be positive integers`);
    imageSize.set(im.id, { w: Number(im.width), h: Number(im.height) });
  });

  const cats = new Set<number>();
  categories.forEach((c: unknown, i) => {
    const at = `categories[${i}]`;
    if (!isObject(c)) {
      out.push(`${at}: not an object`);
      return;
    }
    if (!isInt(c.id)) {
      out.push(`${at}.id: not an integer`);
      return;
    }
    if (cats.has(c.id)) out.push(`${at}.id: duplicate ${c.id}`);
    if (typeof c.name !== "string" || c.name === "") out.push(`${at}.name: missing`);
    cats.add(c.id);
  });

  const ids = new Set<number>();
  annotations.forEach((a: unknown, i) => {
    const at = `annotations[${i}]`;
    if (!isObject(a)) {
      out.push(`${at}: not an object`);
      return;
    }
    if (!isInt(a.id)) out.push(`${at}.id: not an integer`);
    else {
      if (a.id < 1) out.push(`${at}.id: ${a.id}; COCOeval treats id 0 as "unmatched", ids must start at 1`);
      if (ids.has(a.id)) out.push(`${at}.id: duplicate ${a.id}`);
      ids.add(a.id);
    }
    if (!isInt(a.image_id) || !imageSize.has(a.image_id)) out.push(`${at}.image_id: no such image`);
    if (!isInt(a.category_id) || !cats.has(a.category_id)) out.push(`${at}.category_id: no such category`);
    if (a.iscrowd !== 0 && a.iscrowd !== 1) out.push(`${at}.iscrowd: must be 0 or 1`);
    const b = a.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum)) out.push(`${at}.bbox: not [x, y, w, h]`);
    else if ((b[2] as number) <= 0 || (b[3] as number) <= 0)
      out.push(`${at}.bbox: width and height must be > 0`);
    if (!isNum(a.area) || a.area <= 0) out.push(`${at}.area: must be a positive number`);
    const seg = a.segmentation;
    if (isObject(seg)) {
      if (!("counts" in seg) || !Array.isArray(seg.size))
        out.push(`${at}.segmentation: an RLE needs counts and size`);
    } else if (!Array.isArray(seg) || seg.length === 0) {
      out.push(
        `${at}.segmentation: must be an RLE or a non-empty list of polygons (segm evaluation indexes [0])`,
      );
    } else {
      seg.forEach((p: unknown, j) => {
        if (!Array.isArray(p) || !p.every(isNum) || p.length < 6 || p.length % 2 !== 0)
          out.push(`${at}.segmentation[${j}]: a polygon needs an even count (>= 6) of numbers`);
      });
    }
  });
  return out;
};

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Gt {
  id: number;
  box: Box;
  crowd: boolean;
}
interface Dt {
  id: number;
  box: Box;
  score: number;
}

const iou = (d: Box, g: Box, crowd: boolean): number => {
  const iw = Math.min(d.x + d.w, g.x + g.w) - Math.max(d.x, g.x);
  const ih = Math.min(d.y + d.h, g.y + g.h) - Math.max(d.y, g.y);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = crowd ? d.w * d.h : d.w * d.h + g.w * g.h - inter;
  return inter / union;
};

const IOU_THRESHOLDS = Array.from({ length: 10 }, (_, i) => 0.5 + 0.05 * i);
const RECALL_POINTS = Array.from({ length: 101 }, (_, i) => i / 100);
const MAX_DETS = 100;

/**
 * COCOeval bbox AP of a file against itself (every annotation becomes a detection with score 1,
 * ids 1..N as loadRes numbers them). Returns the mean AP over categories with ground truth.
 */
export const cocoSelfEvaluation = (doc: unknown): number => {
  if (!isObject(doc) || !Array.isArray(doc.annotations)) throw new Error("not a COCO instances file");
  const anns = doc.annotations.filter(isObject);
  const gts = new Map<string, Gt[]>();
  const dts = new Map<string, Dt[]>();
  const catIds = new Set<number>();
  anns.forEach((a, i) => {
    const [x, y, w, h] = (a.bbox as number[]).map(Number) as [number, number, number, number];
    const key = `${String(a.image_id)}|${String(a.category_id)}`;
    catIds.add(Number(a.category_id));
    const list = gts.get(key) ?? [];
    list.push({ id: Number(a.id), box: { x, y, w, h }, crowd: a.iscrowd === 1 });
    gts.set(key, list);
    const dl = dts.get(key) ?? [];
    dl.push({ id: i + 1, box: { x, y, w, h }, score: 1 });
    dts.set(key, dl);
  });

  const aps: number[] = [];
  for (const cat of [...catIds].sort((a, b) => a - b)) {
    const perT = IOU_THRESHOLDS.map(() => ({
      scores: [] as number[],
      matched: [] as number[],
      ignored: [] as boolean[],
    }));
    let nonIgnoredGt = 0;
    // Images in id order, as COCOeval walks p.imgIds (equal scores keep that order).
    const keys = [...gts.keys()]
      .filter((k) => k.endsWith(`|${cat}`))
      .sort((a, b) => Number(a.split("|")[0]) - Number(b.split("|")[0]));
    for (const key of keys) {
      const gtList = gts.get(key) ?? [];
      // Ground truth sorted with non-ignored (non-crowd) first, stable, as evaluateImg does.
      const gt = [...gtList].sort((a, b) => Number(a.crowd) - Number(b.crowd));
      const dt = (dts.get(key) ?? []).slice(0, MAX_DETS);
      nonIgnoredGt += gt.filter((g) => !g.crowd).length;
      IOU_THRESHOLDS.forEach((t, ti) => {
        const gtm = gt.map(() => 0);
        for (const d of dt) {
          let best = Math.min(t, 1 - 1e-10);
          let m = -1;
          gt.forEach((g, gi) => {
            if (m > -1 && (gt[m]?.crowd ?? false) === false && g.crowd) return;
            if ((gtm[gi] ?? 0) > 0 && !g.crowd) return;
            const v = iou(d.box, g.box, g.crowd);
            if (v < best) return;
            best = v;
            m = gi;
          });
          const slot = perT[ti];
          if (!slot) continue;
          slot.scores.push(d.score);
          if (m === -1) {
            slot.matched.push(0);
            slot.ignored.push(false);
            continue;
          }
          const g = gt[m] as Gt;
          slot.matched.push(g.id); // 0 for a ground truth with id 0: pycocotools' "unmatched"
          slot.ignored.push(g.crowd);
          gtm[m] = d.id;
        }
      });
    }
    if (nonIgnoredGt === 0) continue;
    for (const slot of perT) {
      let tp = 0;
      let fp = 0;
      const rc: number[] = [];
      const pr: number[] = [];
      slot.matched.forEach((m, i) => {
        if (slot.ignored[i]) return;
        if (m !== 0) tp++;
        else fp++;
        rc.push(tp / nonIgnoredGt);
        pr.push(tp / (tp + fp));
      });
      for (let i = pr.length - 1; i > 0; i--) pr[i - 1] = Math.max(pr[i - 1] ?? 0, pr[i] ?? 0);
      let sum = 0;
      for (const r of RECALL_POINTS) {
        const idx = rc.findIndex((v) => v >= r);
        sum += idx === -1 ? 0 : (pr[idx] ?? 0);
      }
      aps.push(sum / RECALL_POINTS.length);
    }
  }
  return aps.length === 0 ? 0 : aps.reduce((a, b) => a + b, 0) / aps.length;
};
