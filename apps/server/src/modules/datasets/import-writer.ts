import { randomUUID } from "node:crypto";
import {
  basename,
  type DecodedAnnotation,
  type DecodedDataset,
  type DecodedImage,
  type DecodeSink,
  nameKey,
  type ProblemLog,
} from "@labelbench/formats";
import { geometryJson as storedGeometryJson } from "@labelbench/geometry";
import {
  countOf,
  type ImportQuery,
  type Label,
  MAX_SHAPES_PER_IMAGE,
  type ShapeType,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { imageRepo } from "../images/repo.js";
import { paletteColor } from "../labels/palette.js";
import { labelRepo } from "../labels/repo.js";
import { projectRepo } from "../projects/repo.js";
import type { ProbedImage } from "./receive.js";

type Options = z.output<typeof ImportQuery>;

/** A string as an SQL literal (quotes doubled; SQLite has no backslash escapes); NUL cannot be in SQL text. */
const sqlText = (v: string | null): string => {
  if (v === null) return "NULL";
  if (v.includes("\0")) throw new Error("a NUL character cannot be written into SQL text");
  return `'${v.replace(/'/g, "''")}'`;
};

/**
 * V8 grows the old generation lazily: a million decoded annotations left ~80 MB of garbage on top
 * of the live ~120 MB (the images) before it collected. When the process runs with --expose-gc
 * (as `npm start` does), a full collection every 250,000 annotations keeps the peak near the
 * live size for about 0.1 s per million.
 */
const GC_EVERY_ANNOTATIONS = 250_000;

const LABEL_INDEX = "annotations_label";
/** Rows an import writes before it defers the label index to its end. */
const DEFER_LABEL_INDEX_AFTER = 100_000;

export interface LabelPlan {
  /** As the dataset spells it. */
  readonly name: string;
  /** As the project spells it (an existing label may differ in case). */
  readonly target: string;
  labelId: number | null;
  readonly shapeTypes: readonly ShapeType[];
  readonly state: "existing" | "created" | "refused";
  /** An annotation or a tag uses it (a refused label is an error only then). */
  used: boolean;
  /** Annotations accepted for it. */
  count: number;
}

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
  /** Rows the image has now (kept ones included when appending). */
  count: number;
  /** Position of the next inserted row. */
  next: number;
  /** Tag label ids to write; made only for the few images with tags (100k empty sets weigh 20 MB). */
  tags: Set<number> | null;
}

/**
 * The import's write side, fed by the decoder one image and one annotation at a time: label
 * rules (existing, created, refused, allowed shape types), per-label counts, and, while the
 * import can still succeed and is not a dry run, the rows themselves. It runs inside the one
 * write transaction of the import; the first error stops the writes (the transaction is then
 * rolled back) while decoding goes on to report every problem. Nothing here holds a decoded
 * annotation: memory grows with images and labels, never with annotations.
 */
export class ImportWriter implements DecodeSink {
  readonly pendingTiles: string[] = [];
  private readonly plans = new Map<string, LabelPlan | null>();
  /** Plans by the label exactly as the decoder spells it: spares a case-insensitive key per shape. */
  private readonly planOfSpelling = new Map<string, LabelPlan | null>();
  private total = 0;
  /** Rows inserted so far, and the label index's SQL while it is dropped (see deferLabelIndex). */
  private written = 0;
  private labelIndexSql: string | null = null;
  /** Shapes the label rules refused, per image (rare): the rest of `annotationCount` was accepted. */
  private readonly refused = new Map<DecodedImage, number>();
  private readonly imageIds = new Map<string, number>();
  private readonly idOfSha = new Map<string, number>();
  private readonly touched = new Map<number, Touched>();
  private readonly created: LabelPlan[] = [];
  private readonly firstPosition: number;
  private nextPosition: number;
  private readonly projectLabels: ReadonlyMap<string, Label>;
  private readonly now: string;
  private readonly labels;
  private readonly images;
  private readonly sql;

  constructor(
    private readonly deps: Deps,
    private readonly projectId: number,
    private readonly opts: Options,
    actor: string | null,
    private readonly log: ProblemLog,
    private readonly probedByKey: ReadonlyMap<string, ProbedImage>,
    /** Content hashes of the project's images before the import. */
    private readonly existingShas: ReadonlySet<string>,
  ) {
    const db = deps.db;
    this.labels = labelRepo(db);
    this.images = imageRepo(db);
    this.projectLabels = new Map(this.labels.list(projectId).map((l) => [nameKey(l.name), l]));
    this.firstPosition = this.labels.count(projectId);
    this.nextPosition = this.firstPosition;
    this.now = deps.now();
    // Prepared once: a million rows go through `insert`.
    this.sql = {
      // Author and time are the same for every row: written into the statement as constants,
      // they are not converted and bound a million times (~12% of the insert's cost).
      insert: db.prepare(
        `INSERT INTO annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ${sqlText(actor)}, ${sqlText(actor)}, ${sqlText(this.now)}, ${sqlText(this.now)})`,
      ),
      clear: db.prepare("DELETE FROM annotations WHERE image_id = ?"),
      stored: db.prepare(
        "SELECT count(*) AS n, coalesce(max(position), -1) AS last FROM annotations WHERE image_id = ?",
      ),
      clearTags: db.prepare("DELETE FROM image_tags WHERE image_id = ?"),
      taggedImages: db.prepare(
        "SELECT DISTINCT t.image_id FROM image_tags t JOIN images i ON i.id = t.image_id WHERE i.project_id = ?",
      ),
      addTag: db.prepare("INSERT OR IGNORE INTO image_tags (image_id, label_id) VALUES (?, ?)"),
      bump: db.prepare(
        `UPDATE images SET revision = revision + 1, annotation_count = ?, updated_at = ?,
           status = CASE WHEN status = 'new' AND (? > 0 OR EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = images.id))
             THEN 'in_progress' ELSE status END
         WHERE id = ?`,
      ),
      relabel: db.prepare("UPDATE labels SET position = ?, color = ? WHERE id = ?"),
    };
  }

  /** Rows are written only by a real import that has met no error so far. */
  private get writing(): boolean {
    return !this.opts.dryRun && this.log.errors === 0;
  }

  image(img: DecodedImage) {
    // The row is made when the dataset first names the image, so ids follow the dataset's order.
    if (this.writing) this.imageId(img);
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
    if (!plan.shapeTypes.includes(a.geometry.type)) {
      const message = `label "${plan.target}" does not allow ${a.geometry.type} shapes`;
      if (this.opts.invalidShapes === "skip") this.log.warn(a.file, a.where, `${message}; skipped`);
      else this.log.error(a.file, a.where, message);
      this.refuse(img);
      return;
    }
    plan.count++;
    if (++this.total % GC_EVERY_ANNOTATIONS === 0) (globalThis as { gc?: () => void }).gc?.();
    if (!this.writing) return;
    const labelId = plan.labelId ?? this.createLabel(plan);
    const imageId = this.imageId(img);
    const t = this.touch(imageId);
    // The decoder built and checked this geometry; it is stored as is, not parsed again.
    const geometry = storedGeometryJson(a.geometry);
    this.sql.insert.run(imageId, randomUUID(), labelId, geometry, t.next++);
    // The decoder limits the dataset's shapes per image; appending adds those already stored.
    // The error stops the writes, so it is reported once.
    if (++t.count > MAX_SHAPES_PER_IMAGE)
      this.log.error(
        a.file,
        a.where,
        `image "${img.fileName}" would hold more than ${countOf(MAX_SHAPES_PER_IMAGE, "shapes")} with those it already has, the limit per image`,
      );
    if (++this.written === DEFER_LABEL_INDEX_AFTER) this.deferLabelIndex();
  }

  /**
   * A big import drops the annotations-by-label index inside its transaction and builds it again
   * before committing: maintaining it costs more per deleted and inserted row than one build at
   * the end (measured: 1.2 s of 8 s of SQLite work for 1M rows replaced, the build 0.5 s). Other
   * connections never see the change (WAL readers keep their snapshot, and a rollback undoes
   * it); small imports, which must not pay a whole-table build, never reach the threshold.
   */
  private deferLabelIndex() {
    const row = this.deps.db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
      .get(LABEL_INDEX) as { sql: string | null } | undefined;
    if (!row?.sql) return;
    this.labelIndexSql = row.sql;
    this.deps.db.exec(`DROP INDEX ${LABEL_INDEX}`);
  }

  /**
   * After the last annotation: labels the dataset declares but never used, label order, tags,
   * image counts and revisions. Returns the label plans in the dataset's order and the counts.
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
        if (p) this.use(p);
      }
      tags += img.tags.length;
    }
    const counts = this.imageCounts(dataset, tags);
    if (!this.writing) return { plans, counts };

    for (const p of plans) if (p.state === "created" && p.labelId === null) this.createLabel(p);
    // Labels were created as annotations first used them; the project lists them in the dataset's order.
    plans
      .filter((p) => p.state === "created")
      .forEach((p, i) => {
        const position = this.firstPosition + i;
        if (this.created[i] !== p) this.sql.relabel.run(position, paletteColor(position), p.labelId);
      });

    const append = this.opts.existing === "append";
    for (const img of dataset.images) {
      const id = this.imageId(img);
      const tagIds = img.tags.flatMap((t) => {
        const labelId = this.plan(t)?.labelId;
        return labelId == null ? [] : [labelId];
      });
      let t = this.touched.get(id);
      if (!t) {
        if (append && tagIds.length === 0) continue;
        t = this.touch(id);
      }
      if (tagIds.length > 0) {
        t.tags ??= new Set();
        for (const tag of tagIds) t.tags.add(tag);
      }
    }
    // Tags are rare: only images that have some need clearing (not one DELETE per touched image).
    const tagged = append
      ? new Set<number>()
      : new Set(this.sql.taggedImages.pluck().all(this.projectId) as number[]);
    for (const [id, t] of this.touched) {
      if (tagged.has(id)) this.sql.clearTags.run(id);
      for (const tag of t.tags ?? []) this.sql.addTag.run(id, tag);
      this.sql.bump.run(t.count, this.now, t.count, id);
    }
    if (this.labelIndexSql !== null) this.deps.db.exec(this.labelIndexSql);
    projectRepo(this.deps.db).touch(this.projectId, this.now);
    return { plans, counts };
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
        state: "existing",
        used: false,
        count: 0,
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
        state: "created",
        used: false,
        count: 0,
      };
    else p = { name, target: name, labelId: null, shapeTypes: [], state: "refused", used: false, count: 0 };
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

  private createLabel(p: LabelPlan): number {
    const id = this.labels.insert(this.projectId, {
      name: p.target,
      color: paletteColor(this.nextPosition++),
      hotkey: null,
      shapeTypes: ["box", "polygon"],
    });
    p.labelId = id;
    this.created.push(p);
    return id;
  }

  /** The image row of a decoded image; an uploaded image new to the project becomes a row here. */
  private imageId(img: DecodedImage): number {
    const known = this.imageIds.get(img.key);
    if (known !== undefined) return known;
    let id: number;
    const z = this.probedByKey.get(img.key);
    if (z?.ok) {
      const sha = z.staged.sha256;
      const same = this.idOfSha.get(sha) ?? this.images.bySha(this.projectId, sha)?.id;
      if (same !== undefined) id = same;
      else {
        const tileState = z.width * z.height > this.deps.config.tileThresholdPixels ? "pending" : "none";
        id = this.images.insert(
          {
            projectId: this.projectId,
            sha256: sha,
            fileName: basename(z.path),
            width: z.width,
            height: z.height,
            channels: z.channels,
            format: z.format,
            byteSize: z.staged.byteSize,
            tileState,
          },
          this.now,
        );
        if (tileState === "pending") this.pendingTiles.push(sha);
      }
      this.idOfSha.set(sha, id);
    } else id = Number(img.key.slice("img:".length));
    this.imageIds.set(img.key, id);
    return id;
  }

  /** First write to an image: `replace` clears its shapes, `append` continues after them. */
  private touch(imageId: number): Touched {
    const known = this.touched.get(imageId);
    if (known) return known;
    let t: Touched;
    if (this.opts.existing === "append") {
      const s = this.sql.stored.get(imageId) as { n: number; last: number };
      t = { count: s.n, next: s.last + 1, tags: null };
    } else {
      this.sql.clear.run(imageId);
      t = { count: 0, next: 0, tags: null };
    }
    this.touched.set(imageId, t);
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
