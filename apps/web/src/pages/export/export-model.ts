import {
  apiPath,
  type DatasetFormat,
  IMAGE_STATUSES,
  type ImageStatus,
  type StatusCounts,
} from "@labelbench/schema";

/** Everything the Export page lets a user choose; the same options make the same zip. */
export interface ExportChoice {
  format: DatasetFormat;
  statuses: ImageStatus[];
  split: { train: number; val: number; test: number };
  seed: string;
  images: "include" | "exclude";
  /** Which images by review state (issue 15): any, accepted by a reviewer, or done (accepted or not selected for review). */
  review: "any" | "accepted" | "done";
  /**
   * A dataset version to export instead of the live project (issue 17); its `split` and `seed`
   * when it froze them (its exports then use them: the request must not send another).
   */
  version: ExportVersion | null;
}

export interface ExportVersion {
  number: number;
  split: string | null;
  seed: string | null;
}

export const DEFAULT_SEED = "labelbench";

export const DEFAULT_CHOICE: ExportChoice = {
  format: "coco",
  statuses: [...IMAGE_STATUSES],
  split: { train: 100, val: 0, test: 0 },
  seed: DEFAULT_SEED,
  images: "include",
  review: "any",
  version: null,
};

export const REVIEW_FILTER_INFO: Record<ExportChoice["review"], { title: string; text: string }> = {
  any: { title: "Any", text: "Every image of the chosen statuses, reviewed or not." },
  accepted: {
    title: "Accepted",
    text: "Only images a reviewer accepted (or fixed and accepted) and nobody changed since.",
  },
  done: {
    title: "Done",
    text: "Accepted images, and submitted images the review policy did not select.",
  },
};

export const FORMAT_INFO: Record<DatasetFormat, { title: string; text: string; loses?: string }> = {
  coco: {
    title: "COCO",
    text: "One instances JSON per split: boxes and polygons, category ids 1..N in label order. Loads in pycocotools, Detectron2, MMDetection.",
  },
  yolo: {
    title: "YOLO detection",
    text: "Ultralytics layout: data.yaml, images/<split>, labels/<split> with normalized centre boxes.",
    loses: "Polygons are written as their bounding boxes.",
  },
  "yolo-seg": {
    title: "YOLO segmentation",
    text: "Ultralytics layout with normalized polygons; boxes are written as their four corners.",
  },
  voc: {
    title: "Pascal VOC",
    text: "Annotations/<id>.xml with 1-based pixel boxes, ImageSets/Main/<split>.txt, JPEGImages/<id>.jpg.",
    loses:
      "Polygons become bounding boxes; boxes are rounded to whole pixels (two at least); other image formats are converted to JPEG.",
  },
  "classification-csv": {
    title: "Classification CSV",
    text: "classification.csv: one row per image with its tags (joined by ;) and its split; labels.txt lists the tag labels. Reads in pandas, fastai.",
    loses: "Drawn shapes are not written: whole-image tags only.",
  },
  imagenet: {
    title: "ImageNet folders",
    text: "train/<label>/<image> and val/<label>/<image>, what torchvision's ImageFolder reads; labels.txt in label order.",
    loses:
      "One tag per image: images with no tag or several are left out (each named); drawn shapes are not written.",
  },
};

export const SPLIT_PRESETS: { label: string; split: ExportChoice["split"] }[] = [
  { label: "No split", split: { train: 100, val: 0, test: 0 } },
  { label: "80 / 10 / 10", split: { train: 80, val: 10, test: 10 } },
  { label: "70 / 20 / 10", split: { train: 70, val: 20, test: 10 } },
  { label: "80 / 20", split: { train: 80, val: 20, test: 0 } },
];

/** Why the split cannot be sent, or null when it can. */
export const splitError = (s: ExportChoice["split"]): string | null => {
  const parts = [s.train, s.val, s.test];
  if (parts.some((p) => !Number.isInteger(p) || p < 0 || p > 100))
    return "Use whole percentages from 0 to 100.";
  const sum = parts.reduce((a, b) => a + b, 0);
  return sum === 100 ? null : `Train, validation and test add up to ${sum}%, not 100%.`;
};

/** Why nothing can be exported, or null. */
export const choiceError = (c: ExportChoice): string | null =>
  c.statuses.length === 0
    ? "Choose at least one image status."
    : c.version?.split != null
      ? null
      : splitError(c.split);

/**
 * The query string, in a fixed order and leaving out defaults, so the URL (and the curl command)
 * stays short and reads the same for the same choice.
 */
export const exportQuery = (c: ExportChoice): string => {
  const q = new URLSearchParams();
  q.set("format", c.format);
  if (c.version) q.set("version", String(c.version.number));
  const all = IMAGE_STATUSES.every((s) => c.statuses.includes(s));
  if (!all) q.set("status", IMAGE_STATUSES.filter((s) => c.statuses.includes(s)).join(","));
  const { train, val, test } = c.split;
  const splitFrozen = c.version?.split != null;
  if (!splitFrozen && train !== 100) q.set("split", `${train},${val},${test}`);
  if (!splitFrozen && c.seed.trim() !== "" && c.seed !== DEFAULT_SEED) q.set("seed", c.seed);
  if (c.images === "exclude") q.set("images", "exclude");
  if (c.review !== "any") q.set("review", c.review);
  return q.toString().replace(/%2C/g, ",");
};

export const exportPath = (projectId: number, c: ExportChoice) =>
  `${apiPath("exportDataset", { projectId })}?${exportQuery(c)}`;

/** A file name the server would also give (the header wins when present). */
export const defaultFileName = (projectName: string, format: DatasetFormat, version?: number | null) =>
  `${projectName.replace(/[\\/:*?"<>|]+/g, "_").trim() || "dataset"}${version ? `-v${version}` : ""}-${format}.zip`;

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The same export from a script: a token instead of the browser session. */
export const curlCommand = (origin: string, projectId: number, c: ExportChoice, fileName: string): string =>
  [
    "curl -fL",
    '-H "Authorization: Bearer $LABELBENCH_TOKEN"',
    `-o ${shellQuote(fileName)}`,
    shellQuote(`${origin.replace(/\/+$/, "")}${exportPath(projectId, c)}`),
  ].join(" \\\n  ");

/** `attachment; filename="a"; filename*=UTF-8''%C3%BC.zip` -> `ü.zip` (RFC 6266: the starred form wins). */
export const fileNameFromDisposition = (header: string | null, fallback: string): string => {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // a malformed escape: fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(header) ?? /filename\s*=\s*([^;]+)/i.exec(header);
  return plain?.[1]?.trim() || fallback;
};

/** Images the chosen statuses select. */
export const selectedCount = (counts: StatusCounts | undefined, statuses: readonly ImageStatus[]): number =>
  counts ? statuses.reduce((n, s) => n + counts[s], 0) : 0;

/**
 * Downloads above this many bytes go straight to the browser's download manager (it streams to
 * disk); below it the page reads the stream itself to show progress, holding the zip in memory.
 */
export const DIRECT_DOWNLOAD_BYTES = 1024 ** 3;

/** Progress of a download whose final size is only estimated: never 100% before the end. */
export const progressFraction = (received: number, estimate: number | null, done: boolean): number | null => {
  if (done) return 1;
  if (!estimate || estimate <= 0) return null;
  return Math.min(0.99, received / estimate);
};
