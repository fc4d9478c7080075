import { csvField } from "./json-writer.js";
import { ReportBuilder } from "./report.js";
import {
  type ExportEntry,
  type ExportItem,
  type ExportOptions,
  type ExportSource,
  type PlannedImage,
  SPLITS,
  type SplitName,
} from "./types.js";
import { encodeUtf8 } from "./utf8.js";

export interface FileRecord {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

const HEX = /^[0-9a-f]{64}$/;

/** `0`-`9` and `a`-`f` (checked by HEX first) to their values. */
const nibble = (c: number) => (c <= 57 ? c - 48 : c - 87);
const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/**
 * The hash and size of every file, for the manifest. A YOLO export of 100,000 images has 100,000
 * label files: kept as a path array plus the digests packed 32 bytes each and the sizes in one
 * growing array (~70 bytes a file), where a record object with a hex string cost ~170 bytes and a
 * heap object apiece.
 */
export class FileList {
  private readonly paths: string[] = [];
  private digests = new Uint8Array(32 * 1024);
  private sizes = new Float64Array(1024);

  get length(): number {
    return this.paths.length;
  }

  push(record: FileRecord) {
    if (!HEX.test(record.sha256)) throw new Error(`"${record.sha256}" is not a sha256 in hex`);
    const i = this.paths.length;
    if (i === this.sizes.length) {
      const digests = new Uint8Array(this.digests.length * 2);
      digests.set(this.digests);
      this.digests = digests;
      const sizes = new Float64Array(this.sizes.length * 2);
      sizes.set(this.sizes);
      this.sizes = sizes;
    }
    const at = i * 32;
    const hex = record.sha256;
    for (let b = 0; b < 32; b++)
      this.digests[at + b] = (nibble(hex.charCodeAt(2 * b)) << 4) | nibble(hex.charCodeAt(2 * b + 1));
    this.sizes[i] = record.bytes;
    this.paths.push(record.path);
  }

  private sha256(i: number): string {
    let hex = "";
    for (let b = i * 32; b < i * 32 + 32; b++) hex += BYTE_HEX[this.digests[b] as number];
    return hex;
  }

  /** Records sorted by path (code unit order), built one at a time as they are read. */
  *sorted(): Generator<FileRecord> {
    const order = Array.from(this.paths.keys()).sort((a, b) => {
      const pa = this.paths[a] as string;
      const pb = this.paths[b] as string;
      return pa < pb ? -1 : pa > pb ? 1 : 0;
    });
    for (const i of order)
      yield { path: this.paths[i] as string, sha256: this.sha256(i), bytes: this.sizes[i] as number };
  }
}

const STREAM_BATCH_CHARS = 64 * 1024;
const TAG_ROWS_PER_PIECE = 1024;

type SplitCounts = Record<SplitName | "total", number>;
const zero = (): SplitCounts => ({ train: 0, val: 0, test: 0, total: 0 });

/**
 * State an encoder shares with the manifest: file hashes, counts per split and label, the report
 * and the image tags. Encoders call `text`/`stream` for every file and `count` for every item.
 */
export class EncodeContext {
  readonly report: ReportBuilder;
  readonly files = new FileList();
  readonly images = zero();
  readonly annotations = zero();
  readonly emptyImages = zero();
  readonly perLabel: SplitCounts[];
  /**
   * classification.csv's rows, joined into one string every `TAG_ROWS_PER_PIECE` rows: a row
   * built by concatenation is a chain of pieces (path, comma, name), ~200 bytes a tagged image
   * held to the end of the export (~6 MB of a YOLO export with 33,000 tagged images).
   */
  private readonly tagPieces: string[] = [];
  private tagRows: string[] = [];
  /**
   * Where an encoder put each image (plan id -> path in the export, null when left out), for the
   * manifest, when the path is not the format's fixed rule (the ImageNet layout's class folders).
   */
  readonly placed = new Map<number, string | null>();
  private openStreams = 0;

  constructor(
    readonly source: ExportSource,
    readonly options: ExportOptions,
  ) {
    this.report = new ReportBuilder(options.format);
    this.perLabel = source.labels.map(zero);
    for (const image of source.leftOut ?? [])
      this.report.add("IMAGE_FILE_MISSING", { image: image.name, detail: image.detail });
  }

  /** Splits the user asked for (a share above 0), in train, val, test order. */
  get splits(): SplitName[] {
    return SPLITS.filter((s) => this.options.split[s] > 0);
  }

  text(path: string, text: string): ExportEntry {
    const h = this.options.hasher();
    h.update(text);
    this.files.push({ path, ...h.digest() });
    return { kind: "text", path, text };
  }

  /**
   * A file made of pieces: text is gathered into ~64 KiB strings and encoded once per batch, bytes
   * pass through as they are; the hash is taken on the way.
   */
  stream(path: string, chunks: Iterable<string | Uint8Array>): ExportEntry {
    const ctx = this;
    ctx.openStreams++;
    function* hashed(): Generator<Uint8Array> {
      const h = ctx.options.hasher();
      let batch = "";
      const flush = () => {
        const bytes = encodeUtf8(batch);
        batch = "";
        h.update(bytes);
        return bytes;
      };
      for (const c of chunks) {
        if (typeof c === "string") {
          batch += c;
          if (batch.length >= STREAM_BATCH_CHARS) yield flush();
          continue;
        }
        if (batch.length > 0) yield flush();
        h.update(c);
        yield c;
      }
      if (batch.length > 0) yield flush();
      ctx.files.push({ path, ...h.digest() });
      ctx.openStreams--;
    }
    return { kind: "stream", path, chunks: hashed() };
  }

  /** Guards the one rule consumers must follow: drain a stream entry before the manifest. */
  assertDrained() {
    if (this.openStreams !== 0) throw new Error("a stream entry was not drained before the manifest");
  }

  count(item: ExportItem) {
    const s = item.image.split;
    this.images[s]++;
    this.images.total++;
    if (item.shapes.length === 0) {
      this.emptyImages[s]++;
      this.emptyImages.total++;
    }
    for (const shape of item.shapes) {
      this.annotations[s]++;
      this.annotations.total++;
      const l = this.perLabel[shape.labelIndex];
      if (!l) throw new Error(`shape ${shape.id} has label index ${shape.labelIndex} outside the label set`);
      l[s]++;
      l.total++;
    }
  }

  /**
   * An image of a classification layout: counted with its tags as its annotations (what the files
   * hold; its drawn shapes are not written), an image without tags as empty.
   */
  countTags(image: PlannedImage) {
    const s = image.split;
    this.images[s]++;
    this.images.total++;
    if (image.tags.length === 0) {
      this.emptyImages[s]++;
      this.emptyImages.total++;
    }
    for (const t of image.tags) {
      this.annotations[s]++;
      this.annotations.total++;
      const l = this.perLabel[t];
      if (!l) throw new Error(`tag ${t} of image ${image.id} is outside the label set`);
      l[s]++;
      l.total++;
    }
  }

  private droppedItem: ExportItem | null = null;
  private droppedCount = 0;

  /**
   * A counted shape the format could not write (reported by the encoder): taken back out of the
   * counts, so the manifest counts what the files hold; an image left with no shape is empty.
   */
  uncount(item: ExportItem, labelIndex: number) {
    if (this.droppedItem !== item) {
      this.droppedItem = item;
      this.droppedCount = 0;
    }
    const s = item.image.split;
    this.annotations[s]--;
    this.annotations.total--;
    const l = this.perLabel[labelIndex];
    if (l) {
      l[s]--;
      l.total--;
    }
    if (++this.droppedCount === item.shapes.length) {
      this.emptyImages[s]++;
      this.emptyImages.total++;
    }
  }

  /** Tags go to classification.csv in formats without a place for them. */
  collectTags(item: ExportItem, imagePath: string) {
    for (const name of this.tagNames(item.image.tags, item.image.id)) {
      this.tagRows.push(`${csvField(imagePath)},${csvField(name)}\n`);
      if (this.tagRows.length === TAG_ROWS_PER_PIECE) {
        this.tagPieces.push(this.tagRows.join(""));
        this.tagRows = [];
      }
    }
    if (item.image.tags.length > 0) this.report.add("TAGS_IN_CSV", { image: imagePath });
  }

  tagNames(tags: readonly number[], imageId: number): string[] {
    return tags.map((t) => {
      const name = this.source.labels[t]?.name;
      if (name === undefined) throw new Error(`tag ${t} of image ${imageId} is outside the label set`);
      return name;
    });
  }

  *trailer(): Generator<ExportEntry> {
    if (this.tagPieces.length > 0 || this.tagRows.length > 0)
      yield this.text(
        "classification.csv",
        `image,label\n${this.tagPieces.join("")}${this.tagRows.join("")}`,
      );
    if (this.emptyImages.total > 0)
      this.report.note(
        "EMPTY_IMAGES",
        `${this.emptyImages.total} of ${this.images.total} images`,
        this.emptyImages.total,
      );
    for (const p of this.source.plan) {
      const was = p.path ?? p.fileName;
      if (p.exportName !== was) this.report.add("RENAMED", { image: p.exportName, detail: `was "${was}"` });
    }
    yield this.text("export-report.json", `${JSON.stringify(this.report.build(), null, 2)}\n`);
  }

  get includeImages(): boolean {
    return this.options.includeImages;
  }
}

export const countsOf = (c: SplitCounts) => ({ train: c.train, val: c.val, test: c.test, total: c.total });
