import fs from "node:fs";
import path from "node:path";
import { nameKey } from "@labelbench/formats";
import type { AttributeDefinition, LabelScope } from "@labelbench/schema";
import type { Db } from "../../db/database.js";
import { type Deps, sqliteHandle } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { paletteColor } from "../labels/palette.js";
import { importRepo, openPublish, sqliteImportRows } from "./import-repo.js";
import { publishOnPostgres } from "./pg-publish-repo.js";

/**
 * Publishing an import's staging file (stage-repo.ts) into the project.
 *
 * `commitImport` is the point of no return, one short transaction: it checks that what the import
 * decoded against still holds (the project, the labels it uses, no new label with a name it
 * creates), creates its labels and records the import in `dataset_imports`. `publishImport` then
 * moves the staged images into the project a few thousand annotations per transaction (each a few
 * ms to tens of ms), handing the main thread back between them so saves and reads go on. Each
 * image changes in one transaction: its annotations replaced (or appended to), its tags, count,
 * status and revision. A restart finishes an import that was publishing (`resumeImports`); an
 * import that failed before its commit never wrote to the project at all.
 *
 * What a reader sees mid-publish is the same on both backends: every image either as it was or
 * with all of its imported annotations and tags, never half of them; images published so far,
 * not yet the rest. On SQLite a step is one IMMEDIATE transaction on the server's connection
 * (the staging file attached to it); on PostgreSQL one transaction on a pooled client that COPYs
 * the step's annotations (pg-publish-repo.ts), which readers (MVCC) see only at its commit.
 */

/** Staging files of committed imports, kept until they are published (outside the temp folder). */
const stageDir = (deps: Pick<Deps, "config">) => path.join(deps.config.dataDir, "import-stages");

/**
 * Annotations per publishing transaction on SQLite (an image's rows are never split, so a step
 * may hold a little more). A save waits for the step under way: larger steps make it wait longer,
 * smaller ones cost more per annotation (ten statements and a commit each, and each commit writes
 * the same index pages to the WAL again). Sized by rows, not by wall time: steps aimed at 40 ms
 * shrank on a loaded machine to ~750 rows, 1,344 commits and a WAL twice the database's size for a
 * million annotations, and under a stream of saves (one between every two steps) the publishing
 * took twice as long; ~10,000 rows is ~50 ms at a load of 4-5 (docs/benchmarks.md, fourth pass).
 */
const SQLITE_STEP_ROWS = 10_000;
/**
 * On PostgreSQL a step holds no lock a save of another image needs (row locks on the step's own
 * images, KEY SHARE locks that make a deletion wait), so its steps are much longer: each costs a
 * dozen round trips and a commit, which at 100 ms steps made most of the publishing time. Rows at
 * first, then adjusted to take about PG_TARGET_MS each.
 */
const PG_FIRST_CHUNK_ROWS = 20_000;
const PG_TARGET_MS = 1_000;

export interface CommitPlan {
  readonly projectId: number;
  /** The staging file, in the import's temp folder: moved beside the other staged imports. */
  readonly stageFile: string;
  readonly existing: "append" | "replace";
  readonly actor: string | null;
  readonly now: string;
  readonly images: number;
  /** Project labels the staged rows and tags use. */
  readonly usedLabelIds: readonly number[];
  /** Labels to create, by placeholder id, in the order the project is to list them. */
  readonly createdLabels: readonly {
    ref: number;
    name: string;
    scope: LabelScope;
    attributes: readonly AttributeDefinition[];
  }[];
  /** Existing labels to give the attribute definitions the import created for them. */
  readonly extendedLabels: readonly { id: number; attributes: readonly AttributeDefinition[] }[];
}

/** Records the import as committed and creates its labels. Returns the import id and the label ids by placeholder. */
export const commitImport = async (
  deps: Pick<Deps, "sql" | "dialect" | "config">,
  plan: CommitPlan,
): Promise<{ importId: number; labelIds: Map<number, number> }> => {
  const dir = stageDir(deps);
  fs.mkdirSync(dir, { recursive: true });
  const { dialect } = deps;
  return deps.sql.transaction().execute(async (trx) => {
    if (!(await importRepo.projectExists(trx, dialect, plan.projectId)))
      throw new AppError("NOT_FOUND", `project ${plan.projectId} was deleted while the import ran`);
    const used = [...new Set(plan.usedLabelIds)];
    if (used.length > 0) {
      const present = await importRepo.presentLabelIds(trx, dialect, plan.projectId, used);
      const gone = used.filter((id) => !present.has(id));
      if (gone.length > 0)
        throw new AppError(
          "CONFLICT",
          `import refused, nothing was changed: label(s) ${gone.join(", ")} were deleted while the import ran; import again`,
        );
    }
    const labelIds = new Map<number, number>();
    const first = await importRepo.nextLabelPosition(trx, plan.projectId);
    for (const [i, l] of plan.createdLabels.entries()) {
      const position = first + i;
      const id = await importRepo.insertLabel(trx, plan.projectId, {
        name: l.name,
        scope: l.scope,
        key: nameKey(l.name),
        color: paletteColor(position),
        position,
        attributes: l.attributes,
      });
      if (id === undefined)
        throw new AppError(
          "CONFLICT",
          `import refused, nothing was changed: a label "${l.name}" was created while the import ran; import again`,
        );
      labelIds.set(l.ref, id);
    }
    for (const l of plan.extendedLabels) await importRepo.extendAttributes(trx, l.id, l.attributes);
    const importId = await importRepo.insert(trx, plan.projectId, plan);
    await importRepo.mapLabels(trx, importId, labelIds);
    const file = path.join(dir, `${importId}.sqlite`);
    // Moved inside the transaction: were the commit to fail, the file is left for the stray sweep.
    fs.renameSync(plan.stageFile, file);
    await importRepo.setStageFile(trx, importId, file);
    return { importId, labelIds };
  });
};

/**
 * The steps of publishing one import on SQLite: each `next()` runs one transaction on the
 * server's connection (synchronous, the staging file attached). The caller decides what happens
 * between them (the server yields to other requests; start-up just goes on).
 */
function* sqlitePublishSteps(db: Db, importId: number): Generator<void, void, void> {
  const rows = sqliteImportRows(db);
  const imp = rows.get(importId);
  if (!imp) return;
  const publish = openPublish(db, imp);
  try {
    const { rowsOf } = publish;
    let i = 0;
    let seq = imp.published_through;
    while (i < rowsOf.length) {
      let rows = 0;
      const from = seq + 1;
      while (i < rowsOf.length && (rows === 0 || rows + (rowsOf[i] ?? 0) <= SQLITE_STEP_ROWS)) {
        rows += Math.max(rowsOf[i] ?? 0, 1);
        i++;
        seq++;
      }
      publish.step(from, seq);
      yield;
    }
    rows.finish(imp);
  } finally {
    publish.close();
  }
  fs.rmSync(imp.stage_file, { force: true });
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

type PublishDeps = Pick<Deps, "db" | "dialect" | "pgPool">;

const requirePool = (deps: PublishDeps) => {
  if (!deps.pgPool) throw new Error("publishing an import on PostgreSQL needs the pool (deps.pgPool)");
  return deps.pgPool;
};

/** Publishes a committed import, handing the event loop back between its transactions. */
export const publishImport = async (deps: PublishDeps, importId: number): Promise<void> => {
  if (deps.dialect === "sqlite") {
    for (const _ of sqlitePublishSteps(sqliteHandle(deps), importId)) await nextTurn();
    return;
  }
  const { outcome, imp } = await publishOnPostgres(requirePool(deps), importId, {
    targetMs: PG_TARGET_MS,
    firstRows: PG_FIRST_CHUNK_ROWS,
    pause: nextTurn,
  });
  if (outcome === "busy") throw new Error(`import ${importId} is being published by another process`);
  if (imp && outcome !== "lost") fs.rmSync(imp.stage_file, { force: true });
};

/** Staging files no import refers to: leftovers of imports that never committed. */
const removeStrayStages = (dir: string, kept: readonly string[], olderThanMs: number) => {
  if (!fs.existsSync(dir)) return;
  const keep = new Set(kept.map((f) => path.resolve(f)));
  const cutoff = Date.now() - olderThanMs;
  for (const f of fs.readdirSync(dir)) {
    const file = path.resolve(dir, f);
    if (keep.has(file)) continue;
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && stat.mtimeMs <= cutoff) fs.rmSync(file, { force: true });
  }
};

/** On PostgreSQL, a staging file younger than this may belong to an import another process is committing. */
const PG_STRAY_AGE_MS = 60 * 60_000;

/**
 * At start: finishes the imports a stopped process was publishing (they had passed their point of
 * no return) and removes staging files no import refers to. On SQLite it runs to the end before
 * it returns (nothing else runs yet; the stored-file sweep that follows in createApp must not
 * see the imported images' files as unreferenced). On PostgreSQL other processes may be running:
 * an import another live process publishes is left to it (publishOnPostgres answers "busy"), and
 * the requests of this one are served meanwhile.
 */
export const resumeImports = async (
  deps: PublishDeps & Pick<Deps, "sql" | "config" | "log">,
): Promise<void> => {
  if (deps.dialect === "sqlite") {
    resumeOnSqlite(deps);
    return;
  }
  const rows = await importRepo.list(deps.sql);
  for (const r of rows) {
    try {
      const { outcome } = await publishOnPostgres(requirePool(deps), r.id, {
        targetMs: PG_TARGET_MS,
        firstRows: PG_FIRST_CHUNK_ROWS,
        pause: nextTurn,
      });
      if (outcome === "lost")
        deps.log.warn({ importId: r.id, file: r.stage_file }, "an interrupted import lost its staging file");
      else if (outcome === "busy") deps.log.info({ importId: r.id }, "an import another process publishes");
      else {
        deps.log.info({ importId: r.id }, "finished an import interrupted while it was publishing");
        fs.rmSync(r.stage_file, { force: true });
      }
    } catch (err) {
      // The server still starts; the import stays recorded and is tried again at the next start.
      deps.log.error({ err, importId: r.id }, "could not finish an interrupted import");
    }
  }
  removeStrayStages(
    stageDir(deps),
    rows.map((r) => r.stage_file),
    PG_STRAY_AGE_MS,
  );
};

const resumeOnSqlite = (deps: Pick<Deps, "db" | "config" | "log">) => {
  const db = sqliteHandle(deps);
  const imports = sqliteImportRows(db);
  const rows = imports.list();
  for (const r of rows) {
    if (!fs.existsSync(r.stage_file)) {
      deps.log.warn({ importId: r.id, file: r.stage_file }, "an interrupted import lost its staging file");
      imports.delete(r.id);
      continue;
    }
    deps.log.info({ importId: r.id }, "finishing an import interrupted while it was publishing");
    try {
      for (const _ of sqlitePublishSteps(db, r.id)) {
        // Nothing else runs yet: one transaction after the other.
      }
    } catch (err) {
      // The server still starts; the import stays recorded and is tried again at the next start.
      deps.log.error({ err, importId: r.id }, "could not finish an interrupted import");
    }
  }
  removeStrayStages(
    stageDir(deps),
    rows.map((r) => r.stage_file),
    0,
  );
};
