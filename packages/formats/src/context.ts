import { csvField } from "./json.js";
import { ReportBuilder } from "./report.js";
import {
  type ExportEntry,
  type ExportItem,
  type ExportOptions,
  type ExportSource,
  SPLITS,
  type SplitName,
} from "./types.js";

export interface FileRecord {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

type SplitCounts = Record<SplitName | "total", number>;
const zero = (): SplitCounts => ({ train: 0, val: 0, test: 0, total: 0 });

/**
 * State an encoder shares with the manifest: file hashes, counts per split and label, the report
 * and the image tags. Encoders call `text`/`stream` for every file and `count` for every item.
 */
export class EncodeContext {
  readonly report: ReportBuilder;
  readonly files: FileRecord[] = [];
  readonly images = zero();
  readonly annotations = zero();
  readonly emptyImages = zero();
  readonly perLabel: SplitCounts[];
  readonly tagRows: string[] = [];
  private openStreams = 0;

  constructor(
    readonly source: ExportSource,
    readonly options: ExportOptions,
  ) {
    this.report = new ReportBuilder(options.format);
    this.perLabel = source.labels.map(zero);
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

  stream(path: string, chunks: Iterable<string>): ExportEntry {
    const ctx = this;
    ctx.openStreams++;
    function* hashed(): Generator<string> {
      const h = ctx.options.hasher();
      for (const c of chunks) {
        h.update(c);
        yield c;
      }
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

  /** Tags go to classification.csv in formats without a place for them. */
  collectTags(item: ExportItem, imagePath: string) {
    for (const name of this.tagNames(item.image.tags, item.image.id)) {
      this.tagRows.push(`${csvField(imagePath)},${csvField(name)}\n`);
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
    if (this.tagRows.length > 0)
      yield this.text("classification.csv", `image,label\n${this.tagRows.join("")}`);
    if (this.emptyImages.total > 0)
      this.report.note(
        "EMPTY_IMAGES",
        `${this.emptyImages.total} of ${this.images.total} images`,
        this.emptyImages.total,
      );
    const renamed = this.source.plan.filter((p) => p.exportName !== p.fileName);
    for (const p of renamed)
      this.report.add("RENAMED", { image: p.exportName, detail: `was "${p.fileName}"` });
    yield this.text("export-report.json", `${JSON.stringify(this.report.build(), null, 2)}\n`);
  }

  get includeImages(): boolean {
    return this.options.includeImages;
  }
}

export const countsOf = (c: SplitCounts) => ({ train: c.train, val: c.val, test: c.test, total: c.total });
