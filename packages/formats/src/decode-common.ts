import type { Size } from "@labelbench/geometry";
import {
  countOf,
  type Geometry,
  MAX_POLYGON_VERTICES,
  MAX_SHAPES_PER_IMAGE,
  MAX_TAGS_PER_IMAGE,
  tooManyVerticesReason,
} from "@labelbench/schema";
import { readText, textPaths } from "./files.js";
import { parseCsv } from "./json-writer.js";
import { basename, dirname, joinPath, nameKey, normalizePath, stemOf } from "./paths.js";
import { ProblemLog } from "./problems.js";
import { checkShape } from "./shapes.js";
import type {
  DatasetFiles,
  Decoded,
  DecodedImage,
  DecodeSink,
  FindImage,
  FormatId,
  ImageRef,
  SplitName,
} from "./types.js";

export interface DecodeOptions {
  /** `error` (default): an unreadable or out-of-image shape blocks the import; `skip`: it is skipped with a warning. */
  readonly invalidShapes?: "error" | "skip";
  /** Receives annotations as they are decoded; without one they are collected on their images. */
  readonly sink?: DecodeSink;
  /** A log shared with the caller, so its own problems count and cap with the decoder's. */
  readonly log?: ProblemLog;
}

/** Split names the tools use in folder and file names (Roboflow writes `valid`). */
export const splitFromName = (s: string): SplitName | null => {
  const k = s.toLowerCase();
  if (k === "train" || k === "training") return "train";
  if (k === "val" || k === "valid" || k === "validation") return "val";
  if (k === "test" || k === "testing") return "test";
  return null;
};

export const splitFromPath = (p: string): SplitName | null => {
  const parts = p.split("/").slice(0, -1).reverse();
  for (const part of parts) {
    const s = splitFromName(part);
    if (s) return s;
  }
  return null;
};

/** Placeholder classes some tools declare first (labelme's `_background_`); dropped when unused. */
const PLACEHOLDER_NAMES = new Set(["_background_", "__ignore__"]);

/**
 * Everything the format decoders share: problem log, image resolution (dataset path first, then
 * the finder), merging of images met twice, geometry checks against the real image size, and
 * the declared label list.
 */
export class DecodeState {
  readonly log: ProblemLog;
  private readonly images = new Map<string, DecodedImage>();
  private readonly byPath = new Map<string, DecodedImage>();
  private readonly declared: string[] = [];
  private readonly declaredKeys = new Map<string, string>();
  private readonly used = new Set<string>();
  /**
   * Label as written -> declared name, already marked used. A million annotations name a few
   * labels: the case-insensitive key (Unicode normalization, locale lowercasing) is computed
   * once per spelling, not once per shape.
   */
  private readonly usedSpellings = new Map<string, string>();
  /** Names that only a parent category used (Roboflow's dataset-name category). */
  private readonly parents = new Set<string>();
  readonly ignored: string[] = [];
  /** Dataset image paths by file name (case-insensitive): a name may be in several folders. */
  private readonly imageKeys = new Map<string, string[]>();
  private readonly imagePathSet: ReadonlySet<string>;
  private readonly sink: DecodeSink;
  /** Images already reported for going past a per-image limit (reported once each). */
  private readonly overLimit = new Set<DecodedImage>();

  constructor(
    readonly files: DatasetFiles,
    readonly find: FindImage,
    readonly options: DecodeOptions = {},
  ) {
    this.log = options.log ?? new ProblemLog();
    this.sink = options.sink ?? { annotation: (img, a) => img.annotations.push(a) };
    this.imagePathSet = new Set(files.imagePaths);
    for (const p of files.imagePaths) {
      const k = nameKey(basename(p));
      this.imageKeys.set(k, [...(this.imageKeys.get(k) ?? []), p]);
    }
  }

  /** True when the upload holds image files (else no dataset path can resolve). */
  get holdsImages(): boolean {
    return this.imagePathSet.size > 0;
  }

  /** Declares a class name (in file order); the same name (case-insensitively) is declared once. */
  declare(name: string): string {
    const k = nameKey(name.trim());
    const existing = this.declaredKeys.get(k);
    if (existing !== undefined) return existing;
    this.declaredKeys.set(k, name.trim());
    this.declared.push(name.trim());
    return name.trim();
  }

  markParent(name: string) {
    this.parents.add(nameKey(name.trim()));
  }

  /**
   * The dataset path of an image: the first candidate the dataset holds, else the only image
   * with that file name anywhere in it; null when the dataset does not hold it.
   */
  resolvePath(candidates: readonly string[], fileName: string | null): string | null {
    // Annotations without their images (the usual re-import): no candidate can be in the upload.
    if (this.imagePathSet.size === 0) return null;
    for (const c of candidates) {
      const n = normalizePath(c);
      if (this.imagePathSet.has(n)) return n;
    }
    if (fileName) {
      const hits = this.imageKeys.get(nameKey(basename(fileName)));
      if (hits?.length === 1) return hits[0] ?? null;
    }
    return null;
  }

  /** Finds (or returns the already met) image; logs an error and returns null when there is none. */
  image(
    ref: ImageRef,
    source: string,
    where: string | undefined,
    split: SplitName | null,
    describes = true,
  ): DecodedImage | null {
    if (ref.path) {
      const known = this.byPath.get(ref.path);
      if (known) return known;
    }
    const sameName =
      ref.path || !ref.fileName ? [] : (this.imageKeys.get(nameKey(basename(ref.fileName))) ?? []);
    if (sameName.length > 1) {
      this.log.error(
        source,
        where,
        `${sameName.length} images in the upload are named "${basename(ref.fileName ?? "")}" (${sameName.join(", ")}); give the path`,
      );
      return null;
    }
    const match = this.find(ref);
    if (!match.found) {
      this.log.error(source, where, match.reason);
      return null;
    }
    let img = this.images.get(match.key);
    if (!img) {
      img = {
        key: match.key,
        fileName: match.fileName,
        width: match.size.width,
        height: match.size.height,
        split,
        annotationCount: 0,
        annotations: [],
        tags: [],
        source,
      };
      this.images.set(match.key, img);
      this.sink.image?.(img);
    } else if (describes && img.source !== source) {
      this.log.warn(
        source,
        where,
        `image "${match.fileName}" is also described by ${img.source}; annotations merged`,
      );
    }
    if (ref.path) this.byPath.set(ref.path, img);
    return img;
  }

  /** Declared size against the real one: a mismatch means misplaced annotations (often EXIF). */
  checkDeclaredSize(img: DecodedImage, declared: Size | null, source: string, where: string): boolean {
    if (!declared || (declared.width === img.width && declared.height === img.height)) return true;
    const swapped = declared.width === img.height && declared.height === img.width;
    this.log.error(
      source,
      where,
      `declares ${declared.width}x${declared.height} but "${img.fileName}" is ${img.width}x${img.height} as displayed` +
        (swapped
          ? " (width and height swapped: the annotations were made on the image without its EXIF rotation)"
          : ""),
    );
    return false;
  }

  /** Reports a shape that cannot be read; an error unless the caller opted to skip such shapes. */
  invalid(source: string, where: string | undefined, message: string) {
    if (this.options.invalidShapes === "skip") this.log.warn(source, where, `${message}; skipped`);
    else this.log.error(source, where, message);
  }

  /** Checks a shape against the image like an editor save (clamp within 1 px, refuse beyond). */
  shape(
    img: DecodedImage,
    label: string,
    g: Geometry,
    source: string,
    where: string,
    attributes?: Readonly<Record<string, boolean | number | string>>,
  ) {
    // The limits first: they cost nothing, the geometry check grows with the vertex count.
    if (g.type === "polygon" && g.points.length > MAX_POLYGON_VERTICES) {
      this.invalid(source, where, `${tooManyVerticesReason(g.points.length)} (image "${img.fileName}")`);
      return;
    }
    if (img.annotationCount >= MAX_SHAPES_PER_IMAGE) {
      if (!this.overLimit.has(img)) {
        this.overLimit.add(img);
        this.log.error(
          source,
          where,
          `image "${img.fileName}" gets more than ${countOf(MAX_SHAPES_PER_IMAGE, "shapes")}, the limit per image`,
        );
      }
      return;
    }
    const r = checkShape(g, { width: img.width, height: img.height });
    if (!r.ok) {
      this.invalid(source, where, `${r.reason} (image "${img.fileName}" is ${img.width}x${img.height})`);
      return;
    }
    let name = this.usedSpellings.get(label);
    if (name === undefined) {
      name = this.declare(label);
      this.used.add(nameKey(name));
      this.usedSpellings.set(label, name);
    }
    img.annotationCount++;
    this.sink.annotation(
      img,
      attributes && Object.keys(attributes).length > 0
        ? { label: name, geometry: r.value, file: source, where, attributes }
        : { label: name, geometry: r.value, file: source, where },
    );
  }

  tag(img: DecodedImage, label: string, source: string, where: string | undefined) {
    const name = this.declare(label);
    this.used.add(nameKey(name));
    if (img.tags.some((t) => nameKey(t) === nameKey(name))) return;
    if (img.tags.length >= MAX_TAGS_PER_IMAGE) {
      if (!this.overLimit.has(img)) {
        this.overLimit.add(img);
        this.log.error(
          source,
          where,
          `image "${img.fileName}" gets more than ${countOf(MAX_TAGS_PER_IMAGE, "tags")}, the limit per image`,
        );
      }
      return;
    }
    img.tags.push(name);
  }

  /** Image tags from `classification.csv` (`image,label` rows) written by Labelbench or by hand. */
  readClassificationCsv() {
    const csvPath = textPaths(this.files).find((p) => basename(p).toLowerCase() === "classification.csv");
    if (!csvPath) return;
    const rows = parseCsv(readText(this.files, csvPath));
    const first = rows[0];
    const body = first && first.row[0]?.toLowerCase() === "image" ? rows.slice(1) : rows;
    for (const { row, line } of body) {
      const [imagePath, label] = row;
      if (row.length !== 2 || !imagePath || !label?.trim()) {
        this.log.error(csvPath, `line ${line}`, "expected two fields: image,label");
        continue;
      }
      const path = this.resolvePath([joinPath(dirname(csvPath), imagePath)], imagePath);
      const img = this.image(
        { path, fileName: basename(imagePath), stem: stemOf(imagePath) },
        csvPath,
        `line ${line}`,
        splitFromPath(imagePath),
        false,
      );
      if (img) this.tag(img, label, csvPath, `line ${line}`);
    }
  }

  finish(format: FormatId): Decoded {
    const labels = this.declared.filter((n) => {
      const k = nameKey(n);
      if (this.used.has(k)) return true;
      if (PLACEHOLDER_NAMES.has(k) || this.parents.has(k)) {
        this.log.warn(
          "(labels)",
          undefined,
          `class "${n}" is a placeholder with no annotations; not created`,
        );
        return false;
      }
      return true;
    });
    const value = { format, labels, images: [...this.images.values()], ignored: this.ignored };
    const problems = this.log.list();
    return this.log.errors > 0 ? { ok: false, value, problems } : { ok: true, value, problems };
  }
}
