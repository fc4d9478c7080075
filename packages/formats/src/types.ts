import type { Size } from "@labelbench/geometry";
import type { AttributeDefinition, AttributeValues, Geometry, LabelScope } from "@labelbench/schema";
import type { Conversion } from "./export-names.js";

/**
 * The dataset formats Labelbench reads and writes. `yolo` is detection, `yolo-seg` segmentation;
 * `classification-csv` and `imagenet` hold image tags only (classification/).
 */
export const FORMATS = ["coco", "yolo", "yolo-seg", "voc", "classification-csv", "imagenet"] as const;
export type FormatId = (typeof FORMATS)[number];

/** The formats that hold drawn shapes. */
export const SHAPE_FORMATS = ["coco", "yolo", "yolo-seg", "voc"] as const satisfies readonly FormatId[];
/** The formats that hold image tags only: one class (or several) per whole image. */
export const CLASSIFICATION_FORMATS = [
  "classification-csv",
  "imagenet",
] as const satisfies readonly FormatId[];
export const isClassificationFormat = (f: FormatId): f is (typeof CLASSIFICATION_FORMATS)[number] =>
  (CLASSIFICATION_FORMATS as readonly FormatId[]).includes(f);

export const SPLITS = ["train", "val", "test"] as const;
export type SplitName = (typeof SPLITS)[number];

/* ------------------------------------------------------------------ export side */

/** One class, in label-set order: its position is its class index everywhere. */
export interface ExportLabel {
  readonly name: string;
  /** Its attribute definitions: a shape of a label with any gets an `attributes` object in COCO. */
  readonly attributes?: readonly AttributeDefinition[];
  /** Where the label applies (absent: both): the classification formats list the tag labels only. */
  readonly scope?: LabelScope;
}

/** An image as the database knows it (no annotations): enough to plan the export. */
export interface ExportImage {
  /** Database id: orders the export, never written into a file. */
  readonly id: number;
  readonly fileName: string;
  /**
   * The image's path in the project (`cam_a/0001.jpg`) when it has one: exports keep its folders
   * where the format allows. Without it the file name is used.
   */
  readonly path?: string | null;
  /** As displayed, EXIF orientation applied. */
  readonly width: number;
  readonly height: number;
  /** Colour channels of the stored file (1 grey, 2 grey + alpha, 3 colour, 4 with alpha); null if unknown. */
  readonly channels?: number | null;
  readonly sha256: string;
  /** Stored format (jpeg, png, ...): gives a file name without an image extension one. */
  readonly format: string;
  /** Image-level tags as label indices, in label-set order (few per image: loaded with the plan). */
  readonly tags: readonly number[];
  /** Shapes stored for it, when known: lets the source read annotations in batches of a bounded size. */
  readonly annotationCount?: number;
  /**
   * Its split when fixed already (a dataset version that froze its split): kept as it is instead of
   * being assigned by the seeded hash.
   */
  readonly split?: SplitName | null;
}

/** An image with its split and its unique name inside the export. */
export interface PlannedImage extends ExportImage {
  readonly split: SplitName;
  /**
   * Relative to the format's image folder, folders included where the format keeps them; unique
   * (case-insensitively, by folder and stem) across the whole export (export-names.ts).
   */
  readonly exportName: string;
  /** `exportName` without its extension: names label and XML files. */
  readonly stem: string;
  /** The format its bytes are converted to on the way out (VOC: JPEG; YOLO: GIF to PNG), or null. */
  readonly conversion: Conversion;
}

export interface ExportShape {
  readonly id: string;
  /** Index into the label set (0-based). */
  readonly labelIndex: number;
  readonly geometry: Geometry;
  /**
   * The geometry as stored, when the source has it as `JSON.stringify(geometry)` text: COCO copies
   * its numbers as they are instead of parsing and printing them again (a million shapes).
   */
  readonly geometryJson?: string;
  /** Attribute values in the label's definition order (as stored); absent when none. */
  readonly attributes?: Readonly<AttributeValues>;
}

export interface ExportItem {
  readonly image: PlannedImage;
  /** In the order the annotator left them. */
  readonly shapes: readonly ExportShape[];
}

/**
 * What an encoder reads. `plan` is in database id order. `items(split?)` may be called more than
 * once (COCO writes one file per split) and must yield the plan's images of that split (all when
 * no split is given) in plan order, each exactly once, with their shapes; the server feeds it
 * from a database cursor so no whole dataset is ever held in memory.
 */
export interface ExportSource {
  readonly labels: readonly ExportLabel[];
  readonly plan: readonly PlannedImage[];
  /** Images of the project left out of the plan, each with why: listed in the export report. */
  readonly leftOut?: readonly LeftOutImage[];
  items(split?: SplitName): Iterable<ExportItem>;
}

/** An image the server could not export (its file is missing from storage). */
export interface LeftOutImage {
  /** The image's path or file name in the project. */
  readonly name: string;
  readonly detail: string;
}

/** Incremental SHA-256 over UTF-8 text, injected so this package stays free of node:crypto. */
export interface Hasher {
  /** Text is hashed as its UTF-8 bytes. */
  update(data: string | Uint8Array): void;
  digest(): { sha256: string; bytes: number };
}

export interface SplitRatios {
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

export interface ExportOptions {
  readonly format: FormatId;
  readonly includeImages: boolean;
  /** Echoed into the manifest so an export can be reproduced. */
  readonly statuses: readonly string[];
  /** Which images by review state (`any`, `accepted`, `done`), echoed into the manifest when given. */
  readonly review?: string;
  readonly split: SplitRatios;
  readonly seed: string;
  /**
   * The dataset version exported, when not the live project: recorded in the manifest. Only what
   * never changes (its number and creation time), so every download of it has the same bytes.
   */
  readonly version?: { readonly number: number; readonly createdAt: string };
  readonly hasher: () => Hasher;
}

/**
 * One file of the export, in zip order. A consumer must drain a `stream` entry's chunks before
 * asking for the next entry: hashes for the manifest are taken while the chunks are read.
 */
export type ExportEntry =
  | { readonly kind: "text"; readonly path: string; readonly text: string }
  /** A big file in UTF-8 pieces, produced as they are read (a COCO file of a million annotations). */
  | { readonly kind: "stream"; readonly path: string; readonly chunks: Iterable<Uint8Array> }
  | { readonly kind: "image"; readonly path: string; readonly image: PlannedImage };

/* ------------------------------------------------------------------ import side */

/** Where a problem sits: the file, then a line or a field inside it. */
export interface Problem {
  readonly severity: "error" | "warning";
  readonly file: string;
  /** `line 3`, `annotations[4].bbox`, `object 2 bndbox`; absent for whole-file problems. */
  readonly where?: string;
  readonly message: string;
}

/** An annotation file read when a decoder needs it, so a dataset's texts are never all held at once. */
export interface LazyText {
  /** The whole text: for the small files (a label file, an XML, a YAML). */
  text(): string;
  /** The text in pieces (a few MB each), for files too big to hold (a COCO JSON); may be read again. */
  chunks(): Iterable<string>;
}

/**
 * The text files of a dataset (annotation files) and the paths of its image files, in zip order.
 * Texts are either held (`texts`) or read on demand (`lazy`, the server's zip entries); decoders
 * read one file at a time through `textPaths`/`readText`/`readChunks` (files.ts).
 */
export interface DatasetFiles {
  readonly texts: ReadonlyMap<string, string>;
  readonly lazy?: ReadonlyMap<string, LazyText>;
  readonly imagePaths: readonly string[];
}

/** How a dataset names an image; the finder decides which real image that is. */
export interface ImageRef {
  /** Path of the image inside the dataset when it holds the file (resolved by the decoder). */
  readonly path: string | null;
  /** File name the dataset gives (COCO `file_name` basename, VOC `filename`), or null (YOLO). */
  readonly fileName: string | null;
  /**
   * The name with its folders when the dataset gives them (COCO `file_name` `cam_a/0001.jpg`, as
   * Labelbench exports an image's path in the project): matched before the bare file name.
   */
  readonly folderName?: string;
  /**
   * The label file's stem with its folders below the labels folder and its split (YOLO
   * `labels/train/cam_a/0001.txt`: `cam_a/0001`, as Labelbench exports an image in a folder):
   * matched against the project's names without their extension before the bare stem.
   */
  readonly folderStem?: string;
  /** Stem of the annotation file or image: the last resort for matching by name. */
  readonly stem: string;
}

export type ImageMatch =
  | { readonly found: true; readonly key: string; readonly fileName: string; readonly size: Size }
  | { readonly found: false; readonly reason: string };

/** Resolves an image reference to an image in the zip or in the project (the server's job). */
export type FindImage = (ref: ImageRef) => ImageMatch;

export interface DecodedAnnotation {
  readonly label: string;
  /** Image pixels, clamped into the image and checked like an editor save. */
  readonly geometry: Geometry;
  /**
   * Attribute values as the file holds them, in its order: COCO's JSON types as they are, VOC's
   * element texts as strings (the import types them by the label's definitions, or from the text).
   */
  readonly attributes?: Readonly<Record<string, boolean | number | string>>;
  /** The annotation file and the line or field it came from: names it in later problems. */
  readonly file: string;
  readonly where: string;
}

export interface DecodedImage {
  /** The finder's key: identifies the real image. */
  readonly key: string;
  readonly fileName: string;
  readonly width: number;
  readonly height: number;
  readonly split: SplitName | null;
  /** Checked annotations of this image, counted as they are decoded (whoever receives them). */
  annotationCount: number;
  /**
   * The checked annotations, collected here only when the decoder runs without a `DecodeSink`;
   * with a sink (the server's import) they go to the sink one by one and this stays empty.
   */
  readonly annotations: DecodedAnnotation[];
  readonly tags: string[];
  /** The annotation file that described it (or the image path for background images). */
  readonly source: string;
}

/** Receives each checked annotation as it is decoded, so no dataset's annotations are ever all held. */
export interface DecodeSink {
  /** An image met for the first time, before any of its annotations: in dataset order. */
  image?(image: DecodedImage): void;
  annotation(image: DecodedImage, annotation: DecodedAnnotation): void;
}

export interface DecodedDataset {
  readonly format: FormatId;
  /** Class names the dataset declares, in its order (created in this order on import). */
  readonly labels: string[];
  readonly images: DecodedImage[];
  /** Files present but not part of the dataset (masks, other tools' extras). */
  readonly ignored: string[];
}

/** Expected failures are values: `ok` is false when any problem is an error. */
export type Decoded =
  | { readonly ok: true; readonly value: DecodedDataset; readonly problems: Problem[] }
  | { readonly ok: false; readonly value: DecodedDataset; readonly problems: Problem[] };
