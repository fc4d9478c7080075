import { RESERVED_HOTKEYS, type ShapeType } from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { labelChanging, labelShapesDeleting } from "../images/image-changes-repo.js";
import { paletteColor } from "./palette.js";
import { type NewLabel, labelRepo as repo } from "./repo.js";

export const checkHotkey = async (
  ex: Executor,
  projectId: number,
  hotkey: string | null | undefined,
  selfId?: number,
) => {
  if (hotkey === null || hotkey === undefined) return;
  const first = hotkey.slice(0, 1);
  const reserved = RESERVED_HOTKEYS[first];
  if (reserved) {
    const what = first === hotkey ? `hotkey "${hotkey}"` : `hotkey "${hotkey}" starts with "${first}", which`;
    throw new AppError("VALIDATION_ERROR", `${what} is reserved for the editor's "${reserved}"`, [
      { path: "body.hotkey", message: `reserved for ${reserved}` },
    ]);
  }
  const other = (await repo.clashingHotkeys(ex, projectId, hotkey)).find((l) => l.id !== selfId);
  if (other) {
    const how =
      other.hotkey === hotkey
        ? `is already used by label "${other.name}"`
        : `clashes with label "${other.name}"'s hotkey "${other.hotkey}" (a key cannot also start a chord)`;
    throw new AppError("CONFLICT", `hotkey "${hotkey}" ${how}`, { field: "hotkey", labelId: other.id });
  }
};

const checkName = async (ex: Executor, projectId: number, name: string, selfId?: number) => {
  const other = await repo.idByName(ex, projectId, name);
  if (other !== null && other !== selfId) {
    throw new AppError("CONFLICT", `a label named "${name}" already exists in this project`, {
      field: "name",
      labelId: other,
    });
  }
};

type LabelInput = Omit<NewLabel, "color"> & { color?: string | undefined };

export const labelService = (deps: Pick<Deps, "sql" | "dialect">) => {
  const get = async (ex: Executor, projectId: number, id: number) => {
    const l = await repo.get(ex, projectId, id);
    if (!l) throw notFound("label", id);
    return l;
  };
  /**
   * A write to a project's label set: one transaction that first locks the project (PostgreSQL),
   * so the checks it makes still hold when it writes, with several processes too.
   */
  const writing = <T>(projectId: number, work: (trx: Executor) => Promise<T>): Promise<T> =>
    deps.sql.transaction().execute(async (trx) => {
      await repo.lockProject(trx, deps.dialect, projectId);
      return work(trx);
    });

  const create = async (trx: Executor, projectId: number, input: LabelInput) => {
    await checkName(trx, projectId, input.name);
    await checkHotkey(trx, projectId, input.hotkey);
    const color = input.color ?? paletteColor(await repo.count(trx, projectId));
    return repo.insert(trx, projectId, { ...input, color });
  };

  return {
    get: (projectId: number, id: number) => get(deps.sql, projectId, id),
    list: (projectId: number) => repo.list(deps.sql, projectId),
    create: (projectId: number, input: LabelInput) =>
      writing(projectId, async (trx) => get(trx, projectId, await create(trx, projectId, input))),

    bulkCreate: (projectId: number, names: string[]) =>
      writing(projectId, async (trx) => {
        const seen = new Set<string>();
        const unique = names
          .map((n) => n.trim())
          .filter((n) => n && !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase()));
        const taken: string[] = [];
        for (const n of unique) if ((await repo.idByName(trx, projectId, n)) !== null) taken.push(n);
        if (taken.length > 0) {
          throw new AppError("CONFLICT", `labels already exist: ${taken.map((t) => `"${t}"`).join(", ")}`, {
            field: "names",
            existing: taken,
          });
        }
        const ids: number[] = [];
        for (const name of unique)
          ids.push(await create(trx, projectId, { name, hotkey: null, shapeTypes: ["box", "polygon"] }));
        const out = [];
        for (const id of ids) out.push(await get(trx, projectId, id));
        return out;
      }),

    update: (projectId: number, id: number, patch: Partial<NewLabel> & { position?: number | undefined }) =>
      writing(projectId, async (trx) => {
        const current = await get(trx, projectId, id);
        if (patch.name !== undefined) await checkName(trx, projectId, patch.name, id);
        if (patch.hotkey !== undefined) await checkHotkey(trx, projectId, patch.hotkey, id);
        if (patch.shapeTypes) {
          const inUse = (await repo.shapeTypesInUse(trx, deps.dialect, id)).filter(
            (t) => !patch.shapeTypes?.includes(t),
          );
          if (inUse.length > 0) {
            throw new AppError(
              "CONFLICT",
              `label "${current.name}" still has ${inUse.join(" and ")} annotations; relabel or delete them before disallowing that shape type`,
              { field: "shapeTypes", inUse },
            );
          }
        }
        await repo.update(trx, id, patch);
        if (patch.position !== undefined) await repo.move(trx, projectId, id, patch.position);
        return get(trx, projectId, id);
      }),

    delete: (
      projectId: number,
      id: number,
      opts: { reassignTo?: number | undefined; deleteAnnotations: boolean },
    ) =>
      writing(projectId, async (trx) => {
        await repo.lockForDelete(trx, deps.dialect, id);
        const label = await get(trx, projectId, id);
        const usage = await repo.usage(trx, id);
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
          const target = await get(trx, projectId, opts.reassignTo);
          const missing = (await repo.shapeTypesInUse(trx, deps.dialect, id)).filter(
            (t: ShapeType) => !target.shapeTypes.includes(t),
          );
          if (missing.length > 0) {
            throw new AppError(
              "CONFLICT",
              `label "${target.name}" does not allow ${missing.join(" and ")} shapes used by "${label.name}"`,
              { field: "reassignTo", missing },
            );
          }
          // Images whose annotation set changes get a new revision so stale editors get a 409.
          await labelChanging(trx, id, now);
          await repo.reassign(trx, id, target.id, now);
        } else if (inUse) {
          await labelChanging(trx, id, now);
          await labelShapesDeleting(trx, id);
          await repo.deleteAnnotationsOf(trx, id);
        }
        await repo.delete(trx, id);
        await repo.renumber(trx, projectId);
      }),
  };
};
