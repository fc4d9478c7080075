import type { FormatId } from "./types.js";

/**
 * Everything an export changed on the way out. `lossy` entries lose information a re-import
 * cannot restore; `info` entries change representation only. Nothing is ever dropped silently.
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
  WIDENED_TO_ONE_PIXEL: {
    severity: "lossy",
    message: "boxes thinner than one pixel after rounding widened to one pixel",
  },
  ROUNDED_TO_6_DECIMALS: {
    severity: "lossy",
    message: "normalized coordinates rounded to 6 decimals",
  },
  POLYGON_COLLAPSED: {
    severity: "lossy",
    message: "polygons with fewer than 3 distinct points once rounded to 6 decimals (written anyway)",
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
    message: "no validation split: data.yaml has no `val` key (Ultralytics needs one to train)",
  },
} as const;
export type ReportCode = keyof typeof REPORT_CODES;

/** `shape` is the 1-based position among the image's shapes: stable across re-imports, unlike ids. */
export interface ReportExample {
  readonly image: string;
  readonly shape?: number;
  readonly detail?: string;
}

export interface ReportItem {
  readonly code: ReportCode;
  readonly severity: "lossy" | "info";
  readonly message: string;
  readonly count: number;
  /** The first few cases, in export order. */
  readonly examples: ReportExample[];
}

export interface ExportReport {
  readonly format: FormatId;
  /** True when no `lossy` item occurred: a re-import gives back exactly what was exported. */
  readonly lossless: boolean;
  readonly items: ReportItem[];
}

const MAX_EXAMPLES = 20;

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
    if (example && item.examples.length < MAX_EXAMPLES) item.examples.push(example);
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
    return { format: this.format, lossless: items.every((i) => i.severity !== "lossy"), items };
  }
}
