import { RESERVED_HOTKEYS, type ShapeType } from "@labelbench/schema";
import type { Db } from "../../db/database.js";
import { AppError, notFound } from "../../http/errors.js";
import { imageChangesRepo } from "../images/image-changes-repo.js";
import { paletteColor } from "./palette.js";
import { type LabelRepo, labelRepo, type NewLabel } from "./repo.js";

export const checkHotkey = (
  repo: LabelRepo,
  projectId: number,
  hotkey: string | null | undefined,
  selfId?: number,
) => {
  if (hotkey === null || hotkey === undefined) return;
  const reserved = RESERVED_HOTKEYS[hotkey];
  if (reserved) {
    throw new AppError("VALIDATION_ERROR", `hotkey "${hotkey}" is reserved for the editor's "${reserved}"`, [
      { path: "body.hotkey", message: `reserved for ${reserved}` },
    ]);
  }
  const other = repo.byHotkey(projectId, hotkey);
  if (other && other.id !== selfId) {
    throw new AppError("CONFLICT", `hotkey "${hotkey}" is already used by label "${other.name}"`, {
      field: "hotkey",
      labelId: other.id,
    });
  }
};

const checkName = (repo: LabelRepo, projectId: number, name: string, selfId?: number) => {
  const other = repo.idByName(projectId, name);
  if (other !== null && other !== selfId) {
    throw new AppError("CONFLICT", `a label named "${name}" already exists in this project`, {
      field: "name",
      labelId: other,
    });
  }
};

export const labelService = (db: Db) => {
  const repo = labelRepo(db);
  const imageChanges = imageChangesRepo(db);
  const get = (projectId: number, id: number) => {
    const l = repo.get(projectId, id);
    if (!l) throw notFound("label", id);
    return l;
  };

  const create = (projectId: number, input: Omit<NewLabel, "color"> & { color?: string | undefined }) => {
    checkName(repo, projectId, input.name);
    checkHotkey(repo, projectId, input.hotkey);
    const color = input.color ?? paletteColor(repo.count(projectId));
    return repo.insert(projectId, { ...input, color });
  };

  return {
    repo,
    get,
    list: (projectId: number) => repo.list(projectId),
    create: (projectId: number, input: Parameters<typeof create>[1]) =>
      get(projectId, db.transaction(() => create(projectId, input))()),

    bulkCreate: (projectId: number, names: string[]) => {
      const seen = new Set<string>();
      const unique = names
        .map((n) => n.trim())
        .filter((n) => n && !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase()));
      const taken = unique.filter((n) => repo.idByName(projectId, n) !== null);
      if (taken.length > 0) {
        throw new AppError("CONFLICT", `labels already exist: ${taken.map((t) => `"${t}"`).join(", ")}`, {
          field: "names",
          existing: taken,
        });
      }
      const ids = db.transaction(() =>
        unique.map((name) => create(projectId, { name, hotkey: null, shapeTypes: ["box", "polygon"] })),
      )();
      return ids.map((id) => get(projectId, id));
    },

    update: (projectId: number, id: number, patch: Partial<NewLabel> & { position?: number | undefined }) =>
      db.transaction(() => {
        const current = get(projectId, id);
        if (patch.name !== undefined) checkName(repo, projectId, patch.name, id);
        if (patch.hotkey !== undefined) checkHotkey(repo, projectId, patch.hotkey, id);
        if (patch.shapeTypes) {
          const inUse = repo.shapeTypesInUse(id).filter((t) => !patch.shapeTypes?.includes(t));
          if (inUse.length > 0) {
            throw new AppError(
              "CONFLICT",
              `label "${current.name}" still has ${inUse.join(" and ")} annotations; relabel or delete them before disallowing that shape type`,
              { field: "shapeTypes", inUse },
            );
          }
        }
        repo.update(id, patch);
        if (patch.position !== undefined) repo.move(projectId, id, patch.position);
        return get(projectId, id);
      })(),

    delete: (
      projectId: number,
      id: number,
      opts: { reassignTo?: number | undefined; deleteAnnotations: boolean },
    ) =>
      db.transaction(() => {
        const label = get(projectId, id);
        const usage = repo.usage(id);
        const inUse = usage.annotations + usage.tags > 0;
        if (inUse && opts.reassignTo === undefined && !opts.deleteAnnotations) {
          throw new AppError(
            "LABEL_IN_USE",
            `label "${label.name}" is used by ${usage.annotations} annotation(s) and ${usage.tags} image tag(s); pass reassignTo=<labelId> or deleteAnnotations=true`,
            usage,
          );
        }
        const now = new Date().toISOString();
        if (opts.reassignTo !== undefined) {
          if (opts.reassignTo === id)
            throw new AppError("VALIDATION_ERROR", "cannot reassign a label to itself", [
              { path: "query.reassignTo", message: "must be another label" },
            ]);
          const target = get(projectId, opts.reassignTo);
          const missing = repo.shapeTypesInUse(id).filter((t: ShapeType) => !target.shapeTypes.includes(t));
          if (missing.length > 0) {
            throw new AppError(
              "CONFLICT",
              `label "${target.name}" does not allow ${missing.join(" and ")} shapes used by "${label.name}"`,
              { field: "reassignTo", missing },
            );
          }
          // Images whose annotation set changes get a new revision so stale editors get a 409.
          imageChanges.labelChanging(id, now);
          repo.reassign(id, target.id, now);
        } else if (inUse) {
          imageChanges.labelChanging(id, now);
          imageChanges.labelShapesDeleting(id);
          repo.deleteAnnotationsOf(id);
        }
        repo.delete(id);
        repo.renumber(projectId);
      })(),
  };
};
