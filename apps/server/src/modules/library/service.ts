import {
  type BulkItemResult,
  type BulkRequest,
  type BulkResult,
  checkImagePath,
  type FolderList,
  type Label,
  MAX_TAGS_PER_IMAGE,
  naturalSortKey,
} from "@labelbench/schema";
import type { z } from "zod";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { removeImageFiles } from "../images/files.js";
import { savedMany } from "../images/image-changes-repo.js";
import { labelRepo } from "../labels/repo.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/require-project.js";
import { type Caller, reviewService } from "../review/service.js";
import { libraryRepo, type Target } from "./repo.js";

type Body = z.output<typeof BulkRequest>;
type Action = Body["action"];

/** Which labels may tag a whole image: those whose scope is not shapes only. */
export const isTagLabel = (label: Pick<Label, "scope">): boolean => label.scope !== "shapes";

/** "1 image", "2 images". */
const nOf = (n: number, noun: string) => `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;

const fileOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** How many named in a message before "and N more". */
const NAMED = 3;
const listed = (items: string[]) =>
  items.length <= NAMED
    ? items.join("; ")
    : `${items.slice(0, NAMED).join("; ")}; and ${items.length - NAMED} more`;

/**
 * Bulk actions on the library (issue 18). Each request is one transaction: every selected image
 * gets the action or (on a refusal: unknown label, too many tags, a name collision, numbers that
 * changed since the confirmation) none does. The exception is assignment, which goes through the
 * review module and keeps its per-image refusals (a submitted image is not reassigned).
 */
export const libraryService = (deps: Deps) => {
  const projects = projectRepo(deps.sql);
  const review = reviewService(deps);

  /** The selected images (under lock on PostgreSQL when `lock`), and the ids named that are not in the project. */
  const select = async (ex: Executor, projectId: number, body: Body, lock: boolean) => {
    const repo = libraryRepo(ex, deps.dialect);
    if (body.imageIds) {
      const targets = await repo.byIds(projectId, body.imageIds, lock);
      const found = new Set(targets.map((t) => t.id));
      const missing = [...new Set(body.imageIds)].filter((id) => !found.has(id));
      return { targets, missing };
    }
    const f = body.filter ?? {};
    return { targets: await repo.byFilter(projectId, f, lock), missing: [] as number[] };
  };

  const missingResults = (missing: number[], projectId: number): BulkItemResult[] =>
    missing.map((imageId) => ({
      imageId,
      status: "missing",
      reason: `no image ${imageId} in project ${projectId}`,
    }));

  const remove = async (projectId: number, body: Body, action: Extract<Action, { kind: "delete" }>) => {
    const { result, shas } = await deps.sql.transaction().execute(async (trx) => {
      const { targets, missing } = await select(trx, projectId, body, true);
      const annotations = targets.reduce((n, t) => n + t.annotation_count, 0);
      const c = action.confirm;
      if (!body.dryRun && c && (c.images !== targets.length || c.annotations !== annotations))
        throw new AppError(
          "CONFLICT",
          `the selection now holds ${nOf(targets.length, "image")} and ${nOf(annotations, "annotation")}, not the ${nOf(c.images, "image")} and ${nOf(c.annotations, "annotation")} confirmed: nothing was deleted; confirm again`,
        );
      if (!body.dryRun)
        await libraryRepo(trx, deps.dialect).delete(
          projectId,
          targets.map((t) => t.id),
        );
      const result: BulkResult = {
        action: "delete",
        dryRun: body.dryRun,
        matched: targets.length,
        changed: targets.length,
        annotations,
        // A preview answers the numbers; listing 100,000 images that would go helps nobody.
        results: [
          ...(body.dryRun ? [] : targets.map((t): BulkItemResult => ({ imageId: t.id, status: "deleted" }))),
          ...missingResults(missing, projectId),
        ],
      };
      return { result, shas: targets.map((t) => t.sha256) };
    });
    // Files go after the rows (a crash in between leaves orphan files, never rows without files;
    // the start-up and hourly sweeps collect those), and in the background: the reference rule
    // decides each sha in its own transaction (about 2 ms each), so 10,000 images' files would
    // hold the reply for 20 s while nothing the user sees depends on them. It keeps the files
    // another project's images still use.
    if (!body.dryRun && shas.length > 0) {
      await projects.touch(projectId, deps.now());
      void removeImageFiles(deps, shas).catch((err: unknown) =>
        deps.log.warn({ err }, "bulk delete: could not collect the files; the next sweep retries"),
      );
    }
    return result;
  };

  const setStatus = (
    projectId: number,
    body: Body,
    action: Extract<Action, { kind: "setStatus" }>,
    actor: string | null,
  ) =>
    deps.sql.transaction().execute(async (trx): Promise<BulkResult> => {
      const { targets, missing } = await select(trx, projectId, body, true);
      const differ = targets.filter((t) => t.status !== action.status).map((t) => t.id);
      const changed = new Set(
        body.dryRun
          ? differ
          : await libraryRepo(trx, deps.dialect).setStatus(differ, action.status, actor, deps.now()),
      );
      return {
        action: action.kind,
        dryRun: body.dryRun,
        matched: targets.length,
        changed: changed.size,
        results: [
          ...targets.map(
            (t): BulkItemResult => ({
              imageId: t.id,
              status: changed.has(t.id) ? "changed" : "unchanged",
            }),
          ),
          ...missingResults(missing, projectId),
        ],
      };
    });

  /** Through the review module, which owns assignments (its refusals per image are kept). */
  const assign = async (
    projectId: number,
    body: Body,
    action: Extract<Action, { kind: "assign" }>,
    caller: Caller,
  ): Promise<BulkResult> => {
    const { targets, missing } = await select(deps.sql, projectId, body, false);
    const results: BulkItemResult[] = [];
    if (!body.dryRun)
      for (let i = 0; i < targets.length; i += 10_000) {
        const part = targets.slice(i, i + 10_000).map((t) => t.id);
        const r = await review.assign(projectId, { assigneeId: action.assigneeId, imageIds: part }, caller);
        for (const x of r.results)
          results.push(
            x.status === "refused"
              ? { imageId: x.imageId, status: "refused", ...(x.reason ? { reason: x.reason } : {}) }
              : { imageId: x.imageId, status: "changed" },
          );
      }
    else for (const t of targets) results.push({ imageId: t.id, status: "changed" });
    return {
      action: action.kind,
      dryRun: body.dryRun,
      matched: targets.length,
      changed: results.filter((r) => r.status === "changed").length,
      results: [...results, ...missingResults(missing, projectId)],
    };
  };

  /**
   * Adds, removes or toggles whole-image tags. One transaction: the labels are held (a label's
   * deletion waits, or has won and the request is refused), the images locked, their tags read
   * under the lock and changed as a delta, so an annotator's concurrent save in the editor is
   * never lost: theirs commits first and this one adds to it, or this one commits first and
   * theirs meets REVISION_CONFLICT with the current set (the editor reloads it).
   */
  const tag = (
    projectId: number,
    body: Body,
    action: Extract<Action, { kind: "addTags" | "removeTags" | "toggleTag" }>,
    actorId: number | null,
  ) =>
    deps.sql.transaction().execute(async (trx): Promise<BulkResult> => {
      const repo = libraryRepo(trx, deps.dialect);
      const labelIds = [...new Set(action.kind === "toggleTag" ? [action.labelId] : action.labelIds)];
      const path = action.kind === "toggleTag" ? "body.action.labelId" : "body.action.labelIds";
      const kept = await labelRepo.holdForUse(trx, deps.dialect, projectId, labelIds);
      const labels = new Map((await labelRepo.list(trx, projectId)).map((l) => [l.id, l]));
      const bad = labelIds.filter((id) => !kept.has(id) || !labels.has(id));
      if (bad.length > 0)
        throw new AppError(
          "VALIDATION_ERROR",
          `${bad.map((id) => `label ${id}`).join(", ")} ${bad.length === 1 ? "is" : "are"} not in this project's label set`,
          bad.map((id) => ({ path, message: `label ${id} is not in this project's label set` })),
        );
      const notTags = labelIds.filter((id) => {
        const l = labels.get(id);
        return l !== undefined && !isTagLabel(l);
      });
      if (notTags.length > 0)
        throw new AppError(
          "VALIDATION_ERROR",
          `label ${notTags.join(", ")} applies to shapes only, not to whole images`,
          notTags.map((id) => ({ path, message: `label ${id} applies to shapes only` })),
        );
      const { targets, missing } = await select(trx, projectId, body, true);
      const ids = targets.map((t) => t.id);
      const held = new Set((await repo.tags(ids, labelIds)).map((r) => `${r.image_id}:${r.label_id}`));
      const has = (imageId: number, labelId: number) => held.has(`${imageId}:${labelId}`);
      const adding =
        action.kind === "addTags" ||
        (action.kind === "toggleTag" && !targets.every((t) => has(t.id, action.labelId)));
      const rows = targets.flatMap((t) =>
        labelIds.flatMap((labelId) =>
          has(t.id, labelId) === adding ? [] : [{ image_id: t.id, label_id: labelId }],
        ),
      );
      if (adding) {
        // All or nothing: an image that would exceed the limit refuses the whole request.
        const per = new Map<number, number>();
        for (const r of rows) per.set(r.image_id, (per.get(r.image_id) ?? 0) + 1);
        const now = new Map<number, number>();
        for (const r of await repo.tags([...per.keys()])) now.set(r.image_id, (now.get(r.image_id) ?? 0) + 1);
        const over = [...per].filter(([id, n]) => (now.get(id) ?? 0) + n > MAX_TAGS_PER_IMAGE);
        if (over.length > 0)
          throw new AppError(
            "VALIDATION_ERROR",
            `${nOf(over.length, "image")} would hold more than ${nOf(MAX_TAGS_PER_IMAGE, "tag")}: nothing was tagged`,
            over.slice(0, 100).map(([id]) => ({
              path: "body.action",
              message: `image ${id} would hold more than ${MAX_TAGS_PER_IMAGE} tags`,
            })),
          );
      }
      const changedIds = [...new Set(rows.map((r) => r.image_id))];
      let revisions = new Map<number, number>();
      const after = new Map<number, number[]>();
      if (!body.dryRun && rows.length > 0) {
        const at = deps.now();
        if (adding) await repo.addTags(rows);
        else await repo.removeTags(rows);
        revisions = await savedMany(trx, projectId, changedIds, at, actorId);
        for (const id of changedIds) after.set(id, []);
        for (const r of await repo.tags(changedIds)) after.get(r.image_id)?.push(r.label_id);
      }
      const changed = new Set(changedIds);
      return {
        action: action.kind,
        dryRun: body.dryRun,
        matched: targets.length,
        changed: changed.size,
        ...(action.kind === "toggleTag"
          ? { toggled: adding ? ("added" as const) : ("removed" as const) }
          : {}),
        results: [
          ...targets.map((t): BulkItemResult => {
            const revision = revisions.get(t.id);
            const tags = after.get(t.id);
            return {
              imageId: t.id,
              status: changed.has(t.id) ? "changed" : "unchanged",
              ...(revision !== undefined ? { revision } : {}),
              ...(tags ? { tags } : {}),
            };
          }),
          ...missingResults(missing, projectId),
        ],
      };
    });

  /**
   * Moves images into a folder, keeping their file names. All or nothing: refused whole when two
   * would take the same name, or one a name another image keeps.
   */
  const move = (projectId: number, body: Body, action: Extract<Action, { kind: "move" }>) =>
    deps.sql.transaction().execute(async (trx): Promise<BulkResult> => {
      const repo = libraryRepo(trx, deps.dialect);
      const { targets, missing } = await select(trx, projectId, body, true);
      const moving = new Set(targets.map((t) => t.id));
      const problems: string[] = [];
      const plan: { t: Target; name: string }[] = [];
      for (const t of targets) {
        const name = `${action.folder}${fileOf(t.file_name)}`;
        const ok = checkImagePath(name);
        if (!ok.ok) problems.push(`image ${t.id} ("${t.file_name}"): "${name}" ${ok.reason}`);
        else plan.push({ t, name: ok.path });
      }
      const byName = new Map<string, Target[]>();
      for (const p of plan) byName.set(p.name, [...(byName.get(p.name) ?? []), p.t]);
      for (const [name, ts] of byName)
        if (ts.length > 1)
          problems.push(`images ${ts.map((t) => t.id).join(", ")} would all be named "${name}"`);
      for (const r of await repo.named(projectId, [...byName.keys()]))
        if (!moving.has(r.id)) problems.push(`"${r.file_name}" is already the name of image ${r.id}`);
      if (problems.length > 0)
        throw new AppError(
          "CONFLICT",
          `${nOf(problems.length, "name collision")}, nothing was moved: ${listed(problems)}`,
        );
      const renames = plan.filter((p) => p.name !== p.t.file_name);
      if (!body.dryRun)
        await repo.rename(
          renames.map((p) => ({ id: p.t.id, name: p.name, key: naturalSortKey(p.name) })),
          deps.now(),
        );
      const changed = new Set(renames.map((p) => p.t.id));
      return {
        action: action.kind,
        dryRun: body.dryRun,
        matched: targets.length,
        changed: changed.size,
        results: [
          ...plan.map(
            (p): BulkItemResult => ({
              imageId: p.t.id,
              status: changed.has(p.t.id) ? "changed" : "unchanged",
              fileName: p.name,
            }),
          ),
          ...missingResults(missing, projectId),
        ],
      };
    });

  return {
    bulk: async (projectId: number, body: Body, caller: Caller): Promise<BulkResult> => {
      await requireProject(projects, projectId);
      const a = body.action;
      switch (a.kind) {
        case "delete":
          return remove(projectId, body, a);
        case "setStatus":
          return setStatus(projectId, body, a, caller.email);
        case "assign":
          return assign(projectId, body, a, caller);
        case "addTags":
        case "removeTags":
        case "toggleTag":
          return tag(projectId, body, a, caller.userId);
        case "move":
          return move(projectId, body, a);
      }
    },

    folders: async (projectId: number): Promise<FolderList> => {
      await requireProject(projects, projectId);
      const rows = await libraryRepo(deps.sql, deps.dialect).folders(projectId);
      const folders = rows
        .filter((r) => r.dir !== "")
        .map((r) => ({ path: r.dir, images: r.n }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const root = rows.find((r) => r.dir === "")?.n ?? 0;
      return { folders, root, total: rows.reduce((n, r) => n + r.n, 0) };
    },
  };
};
