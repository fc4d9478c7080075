import {
  type AttributeDefinition,
  attributeValueProblem,
  conformAttributeValues,
  defaultAttributeValues,
  type Label,
  type LabelScope,
  orderedAttributeValues,
  RESERVED_HOTKEYS,
  type ShapeType,
} from "@labelbench/schema";
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

/** "1 shape", "3 shapes": these messages count things one at a time. */
const countOf = (n: number, noun: string) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? noun.replace(/s$/, "") : noun}`;
const holds = (n: number) => (n === 1 ? "holds" : "hold");
const has = (n: number) => (n === 1 ? "has" : "have");

type LabelInput = Omit<NewLabel, "color"> & { color?: string | undefined };

/** A label's scope may narrow only when nothing uses it the way it would no longer allow. */
const checkScope = async (ex: Executor, label: Label, scope: LabelScope) => {
  if (scope === "tags" && label.annotationCount > 0)
    throw new AppError(
      "CONFLICT",
      `label "${label.name}" is on ${countOf(label.annotationCount, "shapes")}; relabel or delete them before making it a tag-only label`,
      { field: "scope", shapes: label.annotationCount },
    );
  if (scope === "shapes") {
    const tags = await repo.tagCount(ex, label.id);
    if (tags > 0)
      throw new AppError(
        "CONFLICT",
        `label "${label.name}" tags ${countOf(tags, "images")}; remove those tags before making it a shape-only label`,
        { field: "scope", tags },
      );
  }
};

/** The values as stored: JSON in definition order, or null when there are none. */
export const storedValues = (values: Record<string, unknown>, defs: readonly AttributeDefinition[]) => {
  const ordered = orderedAttributeValues(values as never, defs);
  return Object.keys(ordered).length === 0 ? null : JSON.stringify(ordered);
};

/**
 * The shapes' values under the label's new definitions (docs/architecture.md "Attributes"):
 * values of removed attributes are dropped, attributes without a value take their default (new
 * ones included), kept values must still be valid, and a required attribute without a default
 * must already have a value on every shape. Refused (409, nothing changed) otherwise.
 */
const conformShapes = async (
  ex: Executor,
  label: Label,
  defs: readonly AttributeDefinition[],
  now: string,
  /** For shapes moving to another label: values its attributes refuse are dropped, not refused. */
  dropRefused = false,
): Promise<boolean> => {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const rows = await repo.valuesOf(ex, label.id);
  const refused = new Map<string, { count: number; example: unknown; reason: string }>();
  const missing = new Map<string, number>();
  const writes: { id: number; attributes: string | null }[] = [];
  for (const r of rows) {
    for (const [name, value] of Object.entries(r.attributes)) {
      const def = byName.get(name);
      const reason = def ? attributeValueProblem(def, value) : null;
      if (reason && !dropRefused) {
        const seen = refused.get(name);
        refused.set(name, {
          count: (seen?.count ?? 0) + 1,
          example: seen?.example ?? value,
          reason: seen?.reason ?? reason,
        });
      }
    }
    const next = conformAttributeValues(r.attributes, defs).values;
    for (const d of defs)
      if (d.required && !(d.name in next)) missing.set(d.name, (missing.get(d.name) ?? 0) + 1);
    const text = storedValues(next, defs);
    if (text !== JSON.stringify(r.attributes)) writes.push({ id: r.id, attributes: text });
  }
  const empty = await repo.withoutValues(ex, label.id);
  const fill = defaultAttributeValues(defs);
  if (empty > 0)
    for (const d of defs)
      if (d.required && !(d.name in fill)) missing.set(d.name, (missing.get(d.name) ?? 0) + empty);
  const problems = [
    ...[...refused].map(
      ([name, r]) =>
        `${countOf(r.count, "shapes")} ${holds(r.count)} values of "${name}" the new definition refuses (e.g. ${JSON.stringify(r.example)}: ${r.reason})`,
    ),
    ...[...missing].map(
      ([name, n]) =>
        `${countOf(n, "shapes")} ${has(n)} no value for the required attribute "${name}", which has no default`,
    ),
  ];
  if (problems.length > 0)
    throw new AppError(
      "CONFLICT",
      `label "${label.name}"${dropRefused ? " (its shapes under the target's attributes)" : ""}: ${problems.join("; ")}; give it a default or change those shapes first`,
      {
        field: "attributes",
        problems,
      },
    );
  const fillText = storedValues(fill, defs);
  if (writes.length === 0 && (empty === 0 || fillText === null)) return false;
  // Open editors of those images get a conflict on their next save, then the new values.
  await labelChanging(ex, label.id, now);
  await repo.setValues(ex, writes, now);
  if (empty > 0 && fillText !== null) await repo.fillEmpty(ex, label.id, fillText, now);
  return true;
};

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
        if (patch.scope !== undefined && patch.scope !== current.scope)
          await checkScope(trx, current, patch.scope);
        if (patch.attributes !== undefined)
          await conformShapes(trx, current, patch.attributes, new Date().toISOString());
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
          if (usage.annotations > 0 && target.scope === "tags")
            throw new AppError(
              "CONFLICT",
              `label "${target.name}" is for whole-image tags only; "${label.name}" is on ${countOf(usage.annotations, "shapes")}`,
              { field: "reassignTo", missing: [], scope: target.scope },
            );
          if (usage.tags > 0 && target.scope === "shapes")
            throw new AppError(
              "CONFLICT",
              `label "${target.name}" is for shapes only; "${label.name}" tags ${countOf(usage.tags, "images")}`,
              { field: "reassignTo", missing: [], scope: target.scope },
            );
          // The shapes take the target's attributes: values it accepts by name are kept.
          await conformShapes(trx, label, target.attributes, now, true);
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
