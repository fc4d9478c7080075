import type { FormatId } from "./types.js";

/**
 * Everything an export changed on the way out. `lossy` entries lose information a re-import
 * cannot restore; `info` entries change representation only; `error` entries name what is not in
 * the export at all. Nothing is ever dropped silently.
 */
export const REPORT_CODES = {
  POLYGON_AS_BOX: {
    severity: "lossy",
    message: "polygons written as their bounding boxes (the format holds boxes only)",
  },
  BOX_AS_POLYGON: {
    severity: "info",
    message: "boxes written as 4-corner polygons (exact; they read back as boxes)",
  },
  ROUNDED_TO_PIXELS: {
    severity: "lossy",
    message: "box edges rounded to whole pixels (VOC stores integer pixel indices)",
  },
  WIDENED_TO_TWO_PIXELS: {
    severity: "lossy",
    message:
      "boxes under two pixels after rounding widened to two, so that xmax > xmin (readers take xmax - xmin as the width)",
  },
  SHAPE_NOT_WRITTEN: {
    severity: "lossy",
    message: "shapes the format cannot hold without a zero width, height or area: not written",
  },
  ROUNDED_TO_6_DECIMALS: {
    severity: "lossy",
    message: "normalized coordinates rounded to 6 decimals",
  },
  POLYGON_COLLAPSED: {
    severity: "lossy",
    message:
      "polygons without area once rounded to 6 decimals (fewer than 3 distinct points, or all on a line): not written",
  },
  TAGS_IN_CSV: {
    severity: "info",
    message: "image tags written to classification.csv (the format has no place for them)",
  },
  TAGS_AS_IMAGE_FIELD: {
    severity: "info",
    message: 'image tags written as a "tags" list on each COCO image',
  },
  RENAMED: {
    severity: "info",
    message: "images renamed so that every name (and label file) is unique",
  },
  EMPTY_IMAGES: {
    severity: "info",
    message: "images without shapes included as background images (YOLO: empty label files)",
  },
  NO_VAL_SPLIT: {
    severity: "info",
    message: "no validation images: data.yaml's `val` (which Ultralytics requires) points at another split",
  },
  TOO_SMALL_FOR_ULTRALYTICS: {
    severity: "lossy",
    message:
      "images under 10 pixels on a side: written, but Ultralytics skips them and their labels when training",
  },
  CONVERTED_TO_PNG: {
    severity: "info",
    message: "GIF images written as PNG (Ultralytics does not read GIF; an animation keeps its first frame)",
  },
  CONVERTED_TO_JPEG: {
    severity: "lossy",
    message:
      "images written as JPEG (quality 95, EXIF orientation applied, alpha dropped): VOC readers open JPEGImages/<id>.jpg",
  },
  ATTRIBUTES_NOT_WRITTEN: {
    severity: "lossy",
    message:
      "attribute values not written (YOLO label files hold a class and coordinates only); count: values",
  },
  SHAPES_NOT_WRITTEN_CLASSIFICATION: {
    severity: "lossy",
    message:
      "drawn shapes not written (a classification layout holds whole-image tags only); an example's detail is its number of shapes",
  },
  LABEL_NAME_HAS_SEPARATOR: {
    severity: "info",
    message:
      "label names containing ';', the separator of the labels column: labels.txt lists each name whole (Labelbench's import reads them back whole; a reader splitting on ';' does not)",
  },
  CLASS_FOLDER_RENAMED: {
    severity: "info",
    message:
      "class folders named unlike their label (a '/' or a character a file system refuses, or the same name as another label but for case); labels.txt lists the labels in order",
  },
  IMAGE_WITHOUT_TAG: {
    severity: "lossy",
    message: "images without a tag: not in the ImageNet layout, which has one class folder per image",
  },
  IMAGE_WITH_SEVERAL_TAGS: {
    severity: "lossy",
    message:
      "images with several tags: not in the ImageNet layout, which is single-label (the classification CSV keeps every tag)",
  },
  CLASS_MISSING_FROM_SPLIT: {
    severity: "info",
    message:
      "classes with no image in one of the splits: torchvision's ImageFolder numbers the classes of each split folder by the folders it finds, so map its class_to_idx of each split by name (labels.txt)",
  },
  CONVERTED_TO_PNG_FOR_IMAGEFOLDER: {
    severity: "info",
    message:
      "GIF images written as PNG (torchvision's ImageFolder does not read GIF; an animation keeps its first frame)",
  },
  IMAGE_FILE_MISSING: {
    severity: "error",
    message: "images whose file is missing from storage: left out of the export with their shapes",
  },
} as const satisfies Record<string, { severity: ReportSeverity; message: string }>;
export type ReportCode = keyof typeof REPORT_CODES;

/** `shape` is the 1-based position among the image's shapes: stable across re-imports, unlike ids. */
export interface ReportExample {
  readonly image: string;
  readonly shape?: number;
  readonly detail?: string;
}

/**
 * `info`: only the representation changed. `lossy`: something a re-import cannot restore.
 * `error`: part of the project is not in the export at all (every case is listed).
 */
export type ReportSeverity = "error" | "lossy" | "info";

export interface ReportItem {
  readonly code: ReportCode;
  readonly severity: ReportSeverity;
  readonly message: string;
  readonly count: number;
  /** The first few cases, in export order. */
  readonly examples: ReportExample[];
}

export interface ExportReport {
  readonly format: FormatId;
  /** True when every item is `info`: a re-import gives back exactly what was exported. */
  readonly lossless: boolean;
  readonly items: ReportItem[];
}

const MAX_EXAMPLES = 20;

/** Codes whose every case is named, not the first few: each is an image left out of the export. */
const NAMED_IN_FULL: ReadonlySet<ReportCode> = new Set(["IMAGE_WITHOUT_TAG", "IMAGE_WITH_SEVERAL_TAGS"]);

export class ReportBuilder {
  private readonly items = new Map<
    ReportCode,
    { count: number; examples: ReportExample[]; detail?: string }
  >();

  constructor(private readonly format: FormatId) {}

  add(code: ReportCode, example?: ReportExample) {
    let item = this.items.get(code);
    if (!item) {
      item = { count: 0, examples: [] };
      this.items.set(code, item);
    }
    item.count++;
    // Errors name every image: they are few, and each one is something to fix.
    const all = REPORT_CODES[code].severity === "error" || NAMED_IN_FULL.has(code);
    if (example && (all || item.examples.length < MAX_EXAMPLES)) item.examples.push(example);
  }

  /** A whole-export note (e.g. the largest rounding error), with the count it concerns. */
  note(code: ReportCode, detail: string, count?: number) {
    const item = this.items.get(code) ?? { count: 0, examples: [] };
    item.detail = detail;
    if (count !== undefined) item.count = count;
    this.items.set(code, item);
  }

  has(code: ReportCode): boolean {
    return this.items.has(code);
  }

  build(): ExportReport {
    const items: ReportItem[] = [...this.items.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([code, v]) => ({
        code,
        severity: REPORT_CODES[code].severity,
        message: v.detail ? `${REPORT_CODES[code].message}; ${v.detail}` : REPORT_CODES[code].message,
        count: v.count,
        examples: v.examples,
      }));
    return { format: this.format, lossless: items.every((i) => i.severity === "info"), items };
  }
}
