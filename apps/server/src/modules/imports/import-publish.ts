import fs from "node:fs";
import path from "node:path";
import { nameKey } from "@labelbench/formats";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { paletteColor } from "../labels/palette.js";
import { sqliteProjectRows } from "../projects/repo.js";
import { importRepo, openPublish } from "./import-repo.js";

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
 */

/** Staging files of committed imports, kept until they are published (outside the temp folder). */
const stageDir = (deps: Pick<Deps, "config">) => path.join(deps.config.dataDir, "import-stages");

/**
 * Annotations per publishing transaction at first; adjusted to take about TARGET_MS each. Smaller
 * steps cost more per annotation (ten statements each) and larger ones make a save wait longer.
 */
const FIRST_CHUNK_ROWS = 2_000;
const TARGET_MS = 40;

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
  readonly createdLabels: readonly { ref: number; name: string }[];
}

/** Records the import as committed and creates its labels. Returns the import id and the label ids by placeholder. */
export const commitImport = (
  deps: Deps,
  plan: CommitPlan,
): { importId: number; labelIds: Map<number, number> } => {
  const dir = stageDir(deps);
  fs.mkdirSync(dir, { recursive: true });
  const db = deps.db;
  const imports = importRepo(db);
  const labelIds = new Map<number, number>();
  let importId = 0;
  db.transaction(() => {
    if (!sqliteProjectRows(db).exists(plan.projectId))
      throw new AppError("NOT_FOUND", `project ${plan.projectId} was deleted while the import ran`);
    const used = [...new Set(plan.usedLabelIds)];
    if (used.length > 0) {
      const present = imports.presentLabelIds(plan.projectId, used);
      const gone = used.filter((id) => !present.has(id));
      if (gone.length > 0)
        throw new AppError(
          "CONFLICT",
          `import refused, nothing was changed: label(s) ${gone.join(", ")} were deleted while the import ran; import again`,
        );
    }
    const clash = plan.createdLabels.find((l) => imports.hasLabelKey(plan.projectId, nameKey(l.name)));
    if (clash)
      throw new AppError(
        "CONFLICT",
        `import refused, nothing was changed: a label "${clash.name}" was created while the import ran; import again`,
      );
    const first = imports.nextLabelPosition(plan.projectId);
    plan.createdLabels.forEach((l, i) => {
      const position = first + i;
      const id = imports.insertLabel(plan.projectId, {
        name: l.name,
        key: nameKey(l.name),
        color: paletteColor(position),
        position,
      });
      labelIds.set(l.ref, id);
    });
    importId = imports.insert(plan.projectId, plan);
    for (const [ref, id] of labelIds) imports.mapLabel(importId, ref, id);
    const file = path.join(dir, `${importId}.sqlite`);
    // Moved inside the transaction: were the commit to fail, the file is left for removeStrayStages.
    fs.renameSync(plan.stageFile, file);
    imports.setStageFile(importId, file);
  })();
  return { importId, labelIds };
};

/**
 * The steps of publishing one import: each `next()` runs one transaction. The caller decides what
 * happens between them (the server yields to other requests; start-up just goes on).
 */
function* publishSteps(deps: Pick<Deps, "db">, importId: number): Generator<void, void, void> {
  const db = deps.db;
  const imports = importRepo(db);
  const imp = imports.get(importId);
  if (!imp) return;
  const publish = openPublish(db, imp);
  try {
    const { rowsOf } = publish;
    let target = FIRST_CHUNK_ROWS;
    let i = 0;
    let seq = imp.published_through;
    while (i < rowsOf.length) {
      let rows = 0;
      const from = seq + 1;
      while (i < rowsOf.length && (rows === 0 || rows + (rowsOf[i] ?? 0) <= target)) {
        rows += Math.max(rowsOf[i] ?? 0, 1);
        i++;
        seq++;
      }
      const t0 = performance.now();
      publish.step(from, seq);
      const ms = performance.now() - t0;
      // Aim each transaction at TARGET_MS whatever the machine: halve fast, grow slowly.
      if (ms > 2 * TARGET_MS) target = Math.max(100, Math.floor(target / 2));
      else if (ms < TARGET_MS / 2) target = Math.min(50_000, Math.floor(target * 1.5));
      yield;
    }
    db.transaction(() => {
      sqliteProjectRows(db).touch(imp.project_id, imp.started_at);
      imports.delete(imp.id);
    })();
  } finally {
    publish.close();
  }
  fs.rmSync(imp.stage_file, { force: true });
}

/** Publishes a committed import, handing the event loop back between its transactions. */
export const publishImport = async (deps: Pick<Deps, "db">, importId: number): Promise<void> => {
  for (const _ of publishSteps(deps, importId)) await new Promise((r) => setImmediate(r));
};

/**
 * At start, before any request: finishes the imports a stopped process was publishing (they had
 * passed their point of no return) and removes staging files no import refers to.
 */
export const resumeImports = (deps: Pick<Deps, "db" | "config" | "log">) => {
  const imports = importRepo(deps.db);
  const rows = imports.list();
  for (const r of rows) {
    if (!fs.existsSync(r.stage_file)) {
      deps.log.warn({ importId: r.id, file: r.stage_file }, "an interrupted import lost its staging file");
      imports.delete(r.id);
      continue;
    }
    deps.log.info({ importId: r.id }, "finishing an import interrupted while it was publishing");
    try {
      for (const _ of publishSteps(deps, r.id)) {
        // Nothing else runs yet: one transaction after the other.
      }
    } catch (err) {
      // The server still starts; the import stays recorded and is tried again at the next start.
      deps.log.error({ err, importId: r.id }, "could not finish an interrupted import");
    }
  }
  const dir = stageDir(deps);
  if (fs.existsSync(dir)) {
    const kept = new Set(rows.map((r) => path.resolve(r.stage_file)));
    for (const f of fs.readdirSync(dir))
      if (!kept.has(path.resolve(dir, f))) fs.rmSync(path.join(dir, f), { force: true });
  }
};
