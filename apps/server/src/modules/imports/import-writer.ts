import { randomUUID } from "node:crypto";
import {
  basename,
  type DecodedAnnotation,
  type DecodedDataset,
  type DecodedImage,
  type DecodeSink,
  LabelAttributes,
  nameKey,
  type ProblemLog,
} from "@labelbench/formats";
import { geometryJson as storedGeometryJson } from "@labelbench/geometry";
import {
  type AttributeDefinition,
  countOf,
  type ImportQuery,
  type LabelScope,
  MAX_SHAPES_PER_IMAGE,
  type ShapeType,
} from "@labelbench/schema";
import type { z } from "zod";
import type { ProjectLabel, ProjectSnapshot } from "./import-repo.js";
import type { ProbedImage } from "./receive.js";
import type { StagedNewImage, StageWriter } from "./stage-repo.js";

type Options = z.output<typeof ImportQuery>;

/**
 * V8 grows the old generation lazily: a million decoded annotations left ~80 MB of garbage on top
 * of the live ~120 MB (the images) before it collected. When the process runs with --expose-gc
 * (as `npm start` does), a full collection every 250,000 annotations keeps the peak near the
 * live size for about 0.1 s per million.
 */
const GC_EVERY_ANNOTATIONS = 250_000;

export interface LabelPlan {
  /** As the dataset spells it. */
  readonly name: string;
  /** As the project spells it (an existing label may differ in case). */
  readonly target: string;
  /** The project's label; for a label the import creates, its placeholder id (negative) once staged. */
  labelId: number | null;
  readonly shapeTypes: readonly ShapeType[];
  readonly scope: LabelScope;
  /** Its attribute definitions as the import leaves them (created ones included), and the values' typing. */
  readonly attributes: LabelAttributes;
  readonly state: "existing" | "created" | "refused";
  /** An annotation or a tag uses it (a refused label is an error only then). */
  used: boolean;
  /** Annotations accepted for it. */
  count: number;
  /** Whole-image tags accepted for it. */
  tagged: boolean;
}

/**
 * The scope of a label the import creates, from what the dataset used it for: a classification
 * dataset's labels become tags, a detection dataset's shape labels, a label used both ways both. A
 * label the dataset only declares takes what the whole dataset was used for (a YOLO class with no
 * box in this dataset is still a class of boxes).
 */
export const createdLabelScope = (
  p: Pick<LabelPlan, "count" | "tagged">,
  dataset: { shapes: boolean; tags: boolean },
): LabelScope => {
  const shapes = p.count > 0 || (!p.tagged && dataset.shapes);
  const tags = p.tagged || (p.count === 0 && dataset.tags);
  return shapes && !tags ? "shapes" : tags && !shapes ? "tags" : "both";
};

export interface ImportCounts {
  readonly matched: number;
  readonly created: number;
  readonly withAnnotations: number;
  readonly tags: number;
  readonly annotations: number;
  /** Content hashes of uploaded images that are (or would be) new rows. */
  readonly createdShas: ReadonlySet<string>;
}

interface Touched {
  /** Rows staged for the image. */
  count: number;
  /** Tag label ids to write; made only for the few images with tags (100k empty sets weigh 20 MB). */
  tags: Set<number> | null;
  readonly imageId: number | null;
  readonly image: StagedNewImage | null;
  /** Shapes the existing image already holds (append), once looked up. */
  stored?: number;
}

/** What the writer knows of the project (read before the decoding started). */
export interface ImportTarget {
  readonly project: ProjectSnapshot;
  readonly projectId: number;
  readonly tileThresholdPixels: number;
}

/**
 * The import's write side, fed by the decoder one image and one annotation at a time: label
 * rules (existing, created, refused, allowed shape types), per-label counts, and, while the
 * import can still succeed and is not a dry run, the rows themselves, written to the import's
 * staging file (stage-repo.ts), never to the project: the first error stops the writes while
 * decoding goes on to report every problem, and the file is then thrown away. Labels the import
 * creates get placeholder ids (-1, -2, ...), new images a number in dataset order; the project
 * gets both when the file is published. Nothing here holds a decoded annotation: memory grows
 * with images and labels, never with annotations.
 */
export class ImportWriter implements DecodeSink {
  readonly pendingTiles: string[] = [];
  private readonly plans = new Map<string, LabelPlan | null>();
  /** Plans by the label exactly as the decoder spells it: spares a case-insensitive key per shape. */
  private readonly planOfSpelling = new Map<string, LabelPlan | null>();
  private total = 0;
  /** Shapes the label rules refused, per image (rare): the rest of `annotationCount` was accepted. */
  private readonly refused = new Map<DecodedImage, number>();
  /** Staged image number by decoded image key, by project image id and by new image's content. */
  private readonly seqOfKey = new Map<string, number>();
  private readonly seqOfId = new Map<number, number>();
  private readonly seqOfSha = new Map<string, number>();
  private readonly touched = new Map<number, Touched>();
  private readonly created: LabelPlan[] = [];
  private readonly projectLabels: ReadonlyMap<string, ProjectLabel>;
  /** Project images by content, and the shapes each holds. */
  private readonly idOfSha: ReadonlyMap<string, number>;
  private readonly storedOf: ReadonlyMap<number, number>;

  constructor(
    private readonly target: ImportTarget,
    private readonly opts: Options,
    private readonly log: ProblemLog,
    private readonly probedByKey: ReadonlyMap<string, ProbedImage>,
    /** Content hashes of the project's images before the import. */
    private readonly existingShas: ReadonlySet<string>,
    /** Null for a dry run. */
    private readonly stage: StageWriter | null,
  ) {
    this.projectLabels = new Map(target.project.labels.map((l) => [nameKey(l.name), l]));
    this.idOfSha = new Map(target.project.images.map((i) => [i.sha256, i.id]));
    this.storedOf = new Map(target.project.images.map((i) => [i.id, i.annotation_count]));
  }

  /** Rows are written only by a real import that has met no error so far. */
  private get writing(): boolean {
    return this.stage !== null && this.log.errors === 0;
  }

  image(img: DecodedImage) {
    // Numbered when the dataset first names the image, so new images' ids follow the dataset's order.
    if (this.writing) this.imageSeq(img);
  }

  annotation(img: DecodedImage, a: DecodedAnnotation) {
    let plan = this.planOfSpelling.get(a.label);
    if (plan === undefined) {
      plan = this.plan(a.label);
      this.planOfSpelling.set(a.label, plan);
    }
    if (!plan || !this.use(plan)) {
      this.refuse(img);
      return;
    }
    const taken = plan.attributes.take(a.attributes);
    const refusal =
      plan.scope === "tags"
        ? `label "${plan.target}" is for whole-image tags only, not shapes`
        : !plan.shapeTypes.includes(a.geometry.type)
          ? `label "${plan.target}" does not allow ${a.geometry.type} shapes`
          : taken.problems.join("; ");
    if (refusal) {
      const message = refusal;
      if (this.opts.invalidShapes === "skip") this.log.warn(a.file, a.where, `${message}; skipped`);
      else this.log.error(a.file, a.where, message);
      this.refuse(img);
      return;
    }
    plan.count++;
    if (++this.total % GC_EVERY_ANNOTATIONS === 0) (globalThis as { gc?: () => void }).gc?.();
    const stage = this.writing ? this.stage : null;
    if (!stage) return;
    const labelId = plan.labelId ?? this.createLabel(plan);
    const seq = this.imageSeq(img);
    const t = this.touch(seq);
    // The decoder built and checked this geometry; it is stored as is, not parsed again.
    const values = Object.keys(taken.values).length > 0 ? JSON.stringify(taken.values) : null;
    stage.row(seq, t.count++, randomUUID(), labelId, storedGeometryJson(a.geometry), values);
    // The decoder limits the dataset's shapes per image; appending adds those already stored. The
    // error stops the writes, so it is reported once.
    if (t.count + this.storedShapes(t) > MAX_SHAPES_PER_IMAGE)
      this.log.error(
        a.file,
        a.where,
        `image "${img.fileName}" would hold more than ${countOf(MAX_SHAPES_PER_IMAGE, "shapes")} with those it already has, the limit per image`,
      );
  }

  /** Shapes an existing image keeps through an append (read once per image). */
  private storedShapes(t: Touched): number {
    if (this.opts.existing !== "append" || t.imageId === null) return 0;
    t.stored ??= this.storedOf.get(t.imageId) ?? 0;
    return t.stored;
  }

  /**
   * After the last annotation: labels the dataset declares but never used, tags, and every touched
   * image into the staging file. Returns the label plans in the dataset's order and the counts.
   */
  finish(dataset: DecodedDataset): { plans: LabelPlan[]; counts: ImportCounts } {
    const plans: LabelPlan[] = [];
    for (const name of dataset.labels) {
      const p = this.plan(name);
      if (p) plans.push(p);
    }
    let tags = 0;
    for (const img of dataset.images) {
      for (const t of img.tags) {
        const p = this.plan(t);
        if (p?.scope === "shapes" && !p.used)
          this.log.warn(
            "(labels)",
            undefined,
            `label "${p.target}" is for shapes only: its image tags are not imported`,
          );
        if (p && this.use(p) && p.scope !== "shapes") p.tagged = true;
      }
      tags += img.tags.length;
    }
    const counts = this.imageCounts(dataset, tags);
    const stage = this.writing ? this.stage : null;
    if (!stage) return { plans, counts };

    for (const p of plans) if (p.state === "created" && p.labelId === null) this.createLabel(p);
    // The project lists created labels in the dataset's order, not in the order shapes used them.
    const order = plans.filter((p) => p.state === "created");
    for (const p of this.created) if (!order.includes(p)) order.push(p);
    this.created.splice(0, this.created.length, ...order);
    for (const p of order) stage.label(p.labelId as number, p.target);

    const append = this.opts.existing === "append";
    for (const img of dataset.images) {
      const tagIds = img.tags.flatMap((t) => {
        const p = this.plan(t);
        return p?.labelId == null || p.scope === "shapes" ? [] : [p.labelId];
      });
      const seq = this.seqOfKey.get(img.key);
      if (seq === undefined && append && tagIds.length === 0) continue;
      const t = this.touch(seq ?? this.imageSeq(img));
      if (tagIds.length > 0) {
        t.tags ??= new Set();
        for (const tag of tagIds) t.tags.add(tag);
      }
    }
    for (const [seq, t] of this.touched)
      stage.image({
        seq,
        imageId: t.imageId,
        image: t.image,
        rows: t.count,
        tags: t.tags ? [...t.tags] : null,
      });
    return { plans, counts };
  }

  /** Labels this import creates, in the order the project is to list them (placeholder ids), after `finish`. */
  get createdLabels(): readonly LabelPlan[] {
    return this.created;
  }

  /** Existing labels the import gave new attribute definitions, with those definitions. */
  get extendedLabels(): { id: number; attributes: AttributeDefinition[] }[] {
    return [...this.plans.values()].flatMap((p) =>
      p?.state === "existing" && p.labelId !== null && p.attributes.created.length > 0
        ? [
            {
              id: p.labelId,
              attributes: p.attributes.defs.filter((d) => p.attributes.created.includes(d.name)),
            },
          ]
        : [],
    );
  }

  /** Project labels the staged rows and tags use: they must still exist when the import is published. */
  get usedLabelIds(): number[] {
    return [...this.plans.values()].flatMap((p) =>
      p?.state === "existing" && p.used && p.labelId !== null ? [p.labelId] : [],
    );
  }

  /** Images in the staging file, numbered 1..n. */
  get stagedImages(): number {
    return this.touched.size;
  }

  private refuse(img: DecodedImage) {
    this.refused.set(img, (this.refused.get(img) ?? 0) + 1);
  }

  /** The plan for a label name, decided the first time the name is met. Null: the name is unusable. */
  private plan(name: string): LabelPlan | null {
    const k = nameKey(name);
    const known = this.plans.get(k);
    if (known !== undefined) return known;
    let p: LabelPlan | null;
    const l = this.projectLabels.get(k);
    if (l)
      p = {
        name,
        target: l.name,
        labelId: l.id,
        shapeTypes: l.shapeTypes,
        scope: l.scope,
        attributes: new LabelAttributes(l.name, l.attributes),
        state: "existing",
        used: false,
        count: 0,
        tagged: false,
      };
    else if (name.trim().length === 0 || name.trim().length > 100) {
      this.log.error("(labels)", undefined, `label name "${name}" must have 1 to 100 characters`);
      p = null;
    } else if (this.opts.unknownLabels === "create")
      p = {
        name,
        target: name.trim(),
        labelId: null,
        shapeTypes: ["box", "polygon"],
        scope: "both",
        attributes: new LabelAttributes(name.trim(), []),
        state: "created",
        used: false,
        count: 0,
        tagged: false,
      };
    else
      p = {
        name,
        target: name,
        labelId: null,
        shapeTypes: [],
        scope: "both",
        attributes: new LabelAttributes(name, []),
        state: "refused",
        used: false,
        count: 0,
        tagged: false,
      };
    this.plans.set(k, p);
    return p;
  }

  /** Marks a label used; a refused one is reported (once) and refuses the shape. */
  private use(p: LabelPlan): boolean {
    if (p.state === "refused" && !p.used)
      this.log.error(
        "(labels)",
        undefined,
        `"${p.name}" is not a label of this project (unknownLabels=refuse); create it or import with unknownLabels=create`,
      );
    p.used = true;
    return p.state !== "refused";
  }

  /** A label to create: a placeholder id now, a real label when the import is published. */
  private createLabel(p: LabelPlan): number {
    const ref = -(this.created.length + 1);
    p.labelId = ref;
    this.created.push(p);
    return ref;
  }

  /** The staged number of a decoded image; an uploaded image new to the project is described for its row. */
  private imageSeq(img: DecodedImage): number {
    const known = this.seqOfKey.get(img.key);
    if (known !== undefined) return known;
    let imageId: number | null = null;
    let image: StagedNewImage | null = null;
    const z = this.probedByKey.get(img.key);
    if (z?.ok) {
      const sha = z.staged.sha256;
      const sameNew = this.seqOfSha.get(sha);
      if (sameNew !== undefined) {
        this.seqOfKey.set(img.key, sameNew);
        return sameNew;
      }
      imageId = this.idOfSha.get(sha) ?? null;
      if (imageId === null)
        image = {
          sha256: sha,
          fileName: basename(z.path),
          width: z.width,
          height: z.height,
          channels: z.channels,
          format: z.format,
          byteSize: z.staged.byteSize,
          tileState: z.width * z.height > this.target.tileThresholdPixels ? "pending" : "none",
        };
    } else imageId = Number(img.key.slice("img:".length));
    let seq = imageId !== null ? this.seqOfId.get(imageId) : undefined;
    if (seq === undefined) {
      seq = this.touched.size + 1;
      this.touched.set(seq, { count: 0, tags: null, imageId, image });
      if (imageId !== null) this.seqOfId.set(imageId, seq);
      if (image) {
        this.seqOfSha.set(image.sha256, seq);
        if (image.tileState === "pending") this.pendingTiles.push(image.sha256);
      }
    }
    this.seqOfKey.set(img.key, seq);
    return seq;
  }

  private touch(seq: number): Touched {
    const t = this.touched.get(seq);
    if (!t) throw new Error(`image ${seq} was never staged`);
    return t;
  }

  /** Images matched and created, as the upload's content hashes decide (same for a dry run). */
  private imageCounts(dataset: DecodedDataset, tags: number): ImportCounts {
    const createdShas = new Set<string>();
    const firstWithSha = new Map<string, string>();
    let matched = 0;
    for (const img of dataset.images) {
      const z = this.probedByKey.get(img.key);
      if (!z) {
        matched++;
        continue;
      }
      const sha = z.staged.sha256;
      const first = firstWithSha.get(sha);
      if (first !== undefined)
        this.log.warn(
          z.path,
          undefined,
          `same bytes as ${first}: one image in the project, with the annotations of both`,
        );
      else firstWithSha.set(sha, z.path);
      if (this.existingShas.has(sha)) matched++;
      else createdShas.add(sha);
    }
    const withAnnotations = dataset.images.filter(
      (i) => i.annotationCount - (this.refused.get(i) ?? 0) > 0,
    ).length;
    return {
      matched,
      created: createdShas.size,
      withAnnotations,
      tags,
      annotations: this.total,
      createdShas,
    };
  }
}
