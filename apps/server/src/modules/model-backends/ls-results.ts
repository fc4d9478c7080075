import type { Geometry } from "@labelbench/schema";

/**
 * One list of Label Studio `result` items (one prediction of one image) to Labelbench shapes: the
 * seam to the shared Label Studio converter of packages/formats (issue 17's imports), which owns
 * the coordinate rules (percent of `original_width/height`, rotation about the box's top-left).
 */
export interface LsDetection {
  /** Index of the item in the list. */
  index: number;
  modelLabel: string;
  geometry: Geometry | null;
  score: number | null;
}
export interface LsProblem {
  index: number;
  where: string;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * TEMPORARY until the shared converter is merged: rectanglelabels (rotation → polygon), polygonlabels
 * and choices, everything else a problem. Replaced by the packages/formats function on merge.
 */
export const convertLsResultItems = (
  items: readonly unknown[],
  image: { width: number; height: number },
): { detections: LsDetection[]; problems: LsProblem[] } => {
  const detections: LsDetection[] = [];
  const problems: LsProblem[] = [];
  items.forEach((item, index) => {
    const bad = (where: string, message: string) =>
      problems.push({ index, where: `[${index}]${where}`, message });
    if (!isObject(item)) {
      bad("", "is not an object");
      return;
    }
    const v = item.value;
    if (!isObject(v)) {
      bad(".value", "is missing");
      return;
    }
    const type = item.type;
    const score = num(item.score);
    const w = num(item.original_width) ?? image.width;
    const h = num(item.original_height) ?? image.height;
    const names = (key: string): string[] | null => {
      const list = v[key];
      return Array.isArray(list) && list.every((s) => typeof s === "string") ? (list as string[]) : null;
    };
    if (type === "rectanglelabels") {
      const [x, y, width, height] = [num(v.x), num(v.y), num(v.width), num(v.height)];
      const labels = names("rectanglelabels");
      if (x === null || y === null || width === null || height === null) {
        bad(".value", "rectangle needs numeric x, y, width and height (percent of the image)");
        return;
      }
      if (!labels?.[0]) {
        bad(".value.rectanglelabels", "names no label");
        return;
      }
      const px = (x / 100) * w;
      const py = (y / 100) * h;
      const pw = (width / 100) * w;
      const ph = (height / 100) * h;
      const rot = num(v.rotation) ?? 0;
      let geometry: Geometry;
      if (rot === 0) geometry = { type: "box", x: px, y: py, width: pw, height: ph };
      else {
        const a = (rot * Math.PI) / 180;
        const c = Math.cos(a);
        const s = Math.sin(a);
        const at = (dx: number, dy: number): [number, number] => [px + dx * c - dy * s, py + dx * s + dy * c];
        geometry = { type: "polygon", points: [at(0, 0), at(pw, 0), at(pw, ph), at(0, ph)] };
      }
      for (const modelLabel of labels) detections.push({ index, modelLabel, geometry, score });
      return;
    }
    if (type === "polygonlabels") {
      const pts = v.points;
      const labels = names("polygonlabels");
      if (
        !Array.isArray(pts) ||
        pts.length < 3 ||
        !pts.every((p) => Array.isArray(p) && num(p[0]) !== null && num(p[1]) !== null)
      ) {
        bad(".value.points", "polygon needs at least 3 [x, y] points (percent of the image)");
        return;
      }
      if (!labels?.[0]) {
        bad(".value.polygonlabels", "names no label");
        return;
      }
      const geometry: Geometry = {
        type: "polygon",
        points: (pts as [number, number][]).map(([x, y]) => [(x / 100) * w, (y / 100) * h]),
      };
      for (const modelLabel of labels) detections.push({ index, modelLabel, geometry, score });
      return;
    }
    if (type === "choices") {
      const labels = names("choices");
      if (!labels?.[0]) {
        bad(".value.choices", "names no choice");
        return;
      }
      for (const modelLabel of labels) detections.push({ index, modelLabel, geometry: null, score });
      return;
    }
    bad(
      ".type",
      `result type ${JSON.stringify(type)} cannot become a Labelbench shape (rectanglelabels, polygonlabels and choices can)`,
    );
  });
  return { detections, problems };
};
