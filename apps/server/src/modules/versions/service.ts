import type {
  DatasetVersion,
  VersionCreate,
  VersionDiff,
  VersionDiffImage,
  VersionDiffLabel,
  VersionDiffQuery,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import type { ExportOptions } from "../exports/export-job.js";
import type { ExportScope } from "../exports/repo.js";
import { labelRepo } from "../labels/repo.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/require-project.js";
import { type DiffSide, diffRepo, type SideImage } from "./diff-repo.js";
import { FileBeingDeleted, versionsRepo } from "./repo.js";

type Create = z.output<typeof VersionCreate>;
type DiffQuery = z.output<typeof VersionDiffQuery>;

/** Freezes that met a concurrent one (the same number) or a file being deleted run again, this often. */
const FREEZE_ATTEMPTS = 5;

/** PostgreSQL's answers that mean "run the transaction again": a unique violation, a serialization failure. */
const retryable = (err: unknown): boolean => {
  if (err instanceof FileBeingDeleted) return true;
  const code = (err as { code?: unknown }).code;
  if (code === "23505" || code === "40001") return true;
  // SQLite serializes writers, so a duplicate number would be a bug; it is not retried.
  return false;
};

export const versionService = (deps: Pick<Deps, "sql" | "dialect" | "now" | "files">) => {
  const repo = (ex: Executor = deps.sql) => versionsRepo(ex, deps.dialect);

  const requireVersion = async (projectId: number, number: number) => {
    await requireProject(projectRepo(deps.sql), projectId);
    const row = await repo().row(projectId, number);
    if (!row) throw notFound(`version ${number} of project`, projectId);
    return row;
  };

  /**
   * One transaction reading one snapshot: on PostgreSQL REPEATABLE READ (every INSERT … SELECT
   * sees the same project), and SQLite's transaction holds the write lock throughout.
   */
  const snapshotTransaction = () => {
    const t = deps.sql.transaction();
    return deps.dialect === "postgres" ? t.setIsolationLevel("repeatable read") : t;
  };

  return {
    list: async (projectId: number): Promise<{ items: DatasetVersion[] }> => {
      await requireProject(projectRepo(deps.sql), projectId);
      return { items: await repo().list(projectId) };
    },

    get: async (projectId: number, number: number): Promise<DatasetVersion> =>
      repo().toVersion(await requireVersion(projectId, number)),

    create: async (projectId: number, body: Create, actor: string | null): Promise<DatasetVersion> => {
      await requireProject(projectRepo(deps.sql), projectId);
      for (let attempt = 1; ; attempt++) {
        try {
          const row = await snapshotTransaction().execute(async (trx) => {
            // Two freezes of one project queue here; the second then numbers after the first.
            await labelRepo.lockProject(trx, deps.dialect, projectId);
            return versionsRepo(trx, deps.dialect).freeze({
              projectId,
              note: body.note,
              split: body.split,
              seed: body.seed,
              createdBy: actor,
              createdAt: deps.now(),
            });
          });
          return await repo().toVersion(row);
        } catch (err) {
          if (attempt < FREEZE_ATTEMPTS && retryable(err)) continue;
          if (retryable(err))
            throw new AppError("BUSY", "the project changed during every attempt to freeze it; try again");
          throw err;
        }
      }
    },

    setNote: async (projectId: number, number: number, note: string): Promise<DatasetVersion> => {
      const row = await requireVersion(projectId, number);
      await repo().setNote(row.id, note);
      return repo().toVersion({ ...row, note });
    },

    /** Deletes the version, then the files nothing else references any more. */
    delete: async (projectId: number, number: number): Promise<void> => {
      const row = await requireVersion(projectId, number);
      const shas = await deps.sql.transaction().execute((trx) => repo(trx).delete(row.id, deps.now()));
      await deps.files.collect(shas);
    },

    /**
     * What an export of version `number` reads and records. A version that froze its split
     * exports with it: a split or seed in the request would silently not apply, so it is refused.
     */
    exportOf: async (
      projectId: number,
      number: number,
      options: ExportOptions,
      splitGiven: boolean,
    ): Promise<{
      scope: ExportScope;
      version: { number: number; createdAt: string };
      options: ExportOptions;
    }> => {
      const row = await requireVersion(projectId, number);
      let opts = options;
      if (row.split !== null) {
        if (splitGiven)
          throw new AppError(
            "VALIDATION_ERROR",
            `version ${number} froze its split (${row.split}, seed "${row.seed}"): leave split and seed out of its export`,
          );
        const [train = 0, val = 0, test = 0] = row.split.split(",").map(Number);
        opts = { ...options, split: { train, val, test }, seed: row.seed ?? options.seed };
      }
      return {
        scope: { kind: "version", versionId: row.id },
        version: { number: row.number, createdAt: row.created_at },
        options: opts,
      };
    },

    diff: async (
      projectId: number,
      a: number,
      b: number | "live",
      query: DiffQuery,
    ): Promise<VersionDiff> => {
      const left = await requireVersion(projectId, a);
      const right = b === "live" ? null : await requireVersion(projectId, b);
      const from: DiffSide = { kind: "version", versionId: left.id };
      const to: DiffSide = right ? { kind: "version", versionId: right.id } : { kind: "live", projectId };
      const read = async (ex: Executor) => {
        const d = diffRepo(ex);
        const [shapes, tags, imagesA, imagesB, labelsA, labelsB] = [
          await d.shapeChanges(from, to),
          await d.tagChanges(from, to),
          await d.images(from),
          await d.images(to),
          await d.labels(from),
          await d.labels(to),
        ];
        return { shapes, tags, imagesA, imagesB, labelsA, labelsB };
      };
      // On PostgreSQL the live side is read from one snapshot.
      const data =
        deps.dialect === "postgres"
          ? await deps.sql
              .transaction()
              .setIsolationLevel("repeatable read")
              .setAccessMode("read only")
              .execute(read)
          : await read(deps.sql);
      return buildDiff(a, b, data, query, (images) =>
        b === "live"
          ? Promise.resolve(new Set(images.map((i) => i.id)))
          : diffRepo(deps.sql).liveImages(projectId, images),
      );
    },
  };
};

interface DiffData {
  shapes: Awaited<ReturnType<ReturnType<typeof diffRepo>["shapeChanges"]>>;
  tags: Set<number>;
  imagesA: SideImage[];
  imagesB: SideImage[];
  labelsA: { id: number; name: string; color: string }[];
  labelsB: { id: number; name: string; color: string }[];
}

/** Totals, per label and per image from the grouped rows; the changed images a page at a time. */
const buildDiff = async (
  a: number,
  b: number | "live",
  data: DiffData,
  query: DiffQuery,
  liveOf: (images: SideImage[]) => Promise<Set<number>>,
): Promise<VersionDiff> => {
  const key = (i: SideImage) => `${i.id}:${i.sha256}`;
  const inA = new Map(data.imagesA.map((i) => [key(i), i]));
  const inB = new Map(data.imagesB.map((i) => [key(i), i]));
  const perImage = new Map<number, { added: number; removed: number; changed: number }>();
  const labels = new Map<
    number,
    { added: number; removed: number; changed: number; attributesChanged: number }
  >();
  const shapes = { added: 0, removed: 0, changed: 0, relabeled: 0, attributesChanged: 0 };
  for (const r of data.shapes) {
    const img = perImage.get(r.imageId) ?? { added: 0, removed: 0, changed: 0 };
    img[r.kind] += r.n;
    perImage.set(r.imageId, img);
    const l = labels.get(r.labelId) ?? { added: 0, removed: 0, changed: 0, attributesChanged: 0 };
    l[r.kind] += r.n;
    l.attributesChanged += r.attributesChanged;
    labels.set(r.labelId, l);
    shapes[r.kind] += r.n;
    shapes.relabeled += r.relabeled;
    shapes.attributesChanged += r.attributesChanged;
  }

  type Entry = { image: SideImage; change: VersionDiffImage["change"] };
  const entries: Entry[] = [];
  let unchanged = 0;
  for (const [k, image] of inB) {
    if (!inA.has(k)) entries.push({ image, change: "added" });
    else if (perImage.has(image.id) || data.tags.has(image.id)) entries.push({ image, change: "changed" });
    else unchanged++;
  }
  for (const [k, image] of inA) if (!inB.has(k)) entries.push({ image, change: "removed" });
  entries.sort((x, y) => x.image.id - y.image.id || (x.change < y.change ? -1 : 1));
  const count = (c: Entry["change"]) => entries.filter((e) => e.change === c).length;

  const page = entries.slice(query.offset, query.offset + query.limit);
  const live = await liveOf(page.map((e) => e.image));
  const items = page.map((e): VersionDiffImage => {
    // An image removed and another given its id: the removed one's shapes are the image's "removed".
    const c = perImage.get(e.image.id) ?? { added: 0, removed: 0, changed: 0 };
    return {
      imageId: e.image.id,
      fileName: e.image.fileName,
      change: e.change,
      shapesAdded: e.change === "removed" ? 0 : c.added,
      shapesRemoved: e.change === "added" ? 0 : c.removed,
      shapesChanged: c.changed,
      live: live.has(e.image.id),
    };
  });

  // Labels in the right side's order, then those only the left side had.
  const named = new Map<number, { name: string; color: string }>();
  for (const l of [...data.labelsB, ...data.labelsA]) if (!named.has(l.id)) named.set(l.id, l);
  const perLabel: VersionDiffLabel[] = [...named].map(([labelId, l]) => ({
    labelId,
    name: l.name,
    color: l.color,
    ...(labels.get(labelId) ?? { added: 0, removed: 0, changed: 0, attributesChanged: 0 }),
  }));

  return {
    from: a,
    to: b,
    images: { added: count("added"), removed: count("removed"), changed: count("changed"), unchanged },
    shapes,
    perLabel,
    changedImages: { items, total: entries.length, offset: query.offset, limit: query.limit },
  };
};
