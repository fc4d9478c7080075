import { type Label, labelNameKey, type ShapeType } from "@labelbench/schema";
import type { Db } from "../../db/database.js";

interface LabelRow {
  id: number;
  project_id: number;
  name: string;
  color: string;
  hotkey: string | null;
  position: number;
  shape_types: string;
  annotation_count: number;
}

const SELECT = `SELECT l.*, (SELECT COUNT(*) FROM annotations a WHERE a.label_id = l.id) AS annotation_count FROM labels l`;

const toLabel = (r: LabelRow): Label => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  color: r.color,
  hotkey: r.hotkey,
  position: r.position,
  shapeTypes: r.shape_types.split(",") as ShapeType[],
  annotationCount: r.annotation_count,
});

export interface NewLabel {
  name: string;
  color: string;
  hotkey: string | null;
  shapeTypes: ShapeType[];
}

/** Shared with the web's label editor, so both see the same names collide. */
export const nameKey = labelNameKey;

export const labelRepo = (db: Db) => {
  const byId = db.prepare(`${SELECT} WHERE l.id = ? AND l.project_id = ?`);
  const all = db.prepare(`${SELECT} WHERE l.project_id = ? ORDER BY l.position, l.id`);
  const byName = db.prepare("SELECT id FROM labels WHERE project_id = ? AND name_key = ?");
  const byHotkey = db.prepare("SELECT id, name FROM labels WHERE project_id = ? AND hotkey = ?");
  const maxPos = db.prepare("SELECT coalesce(max(position), -1) AS p FROM labels WHERE project_id = ?");
  const insert = db.prepare(
    "INSERT INTO labels (project_id, name, name_key, color, hotkey, position, shape_types) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  // A patch sets only the columns it names: coalesce keeps the others (null is never a new value
  // here, hotkey aside, which says so with its own flag).
  const updateOne = db.prepare(
    `UPDATE labels SET name = coalesce(@name, name), name_key = coalesce(@nameKey, name_key),
       color = coalesce(@color, color), hotkey = CASE WHEN @setHotkey THEN @hotkey ELSE hotkey END,
       shape_types = coalesce(@shapeTypes, shape_types) WHERE id = @id`,
  );
  const setPosition = db.prepare("UPDATE labels SET position = ? WHERE id = ?");
  const usage = db.prepare(
    `SELECT (SELECT COUNT(*) FROM annotations WHERE label_id = ?) AS annotations,
            (SELECT COUNT(*) FROM image_tags WHERE label_id = ?) AS tags`,
  );
  const shapeTypesInUse = db
    .prepare("SELECT DISTINCT json_extract(geometry, '$.type') AS t FROM annotations WHERE label_id = ?")
    .pluck();
  const reassignShapes = db.prepare("UPDATE annotations SET label_id = ?, updated_at = ? WHERE label_id = ?");
  const reassignTags = db.prepare(
    "INSERT OR IGNORE INTO image_tags (image_id, label_id) SELECT image_id, ? FROM image_tags WHERE label_id = ?",
  );
  const deleteAnnotationsOf = db.prepare("DELETE FROM annotations WHERE label_id = ?");
  const deleteOne = db.prepare("DELETE FROM labels WHERE id = ?");
  return {
    get: (projectId: number, id: number): Label | null => {
      const r = byId.get(id, projectId) as LabelRow | undefined;
      return r ? toLabel(r) : null;
    },
    list: (projectId: number): Label[] => (all.all(projectId) as LabelRow[]).map(toLabel),
    idByName: (projectId: number, name: string): number | null =>
      (byName.get(projectId, nameKey(name)) as { id: number } | undefined)?.id ?? null,
    byHotkey: (projectId: number, hotkey: string) =>
      (byHotkey.get(projectId, hotkey) as { id: number; name: string } | undefined) ?? null,
    count: (projectId: number): number => (maxPos.get(projectId) as { p: number }).p + 1,
    insert: (projectId: number, l: NewLabel): number => {
      const pos = (maxPos.get(projectId) as { p: number }).p + 1;
      return Number(
        insert.run(projectId, l.name, nameKey(l.name), l.color, l.hotkey, pos, l.shapeTypes.join(","))
          .lastInsertRowid,
      );
    },
    update: (id: number, patch: Partial<NewLabel>) => {
      if (Object.values(patch).every((v) => v === undefined)) return;
      updateOne.run({
        id,
        name: patch.name ?? null,
        nameKey: patch.name === undefined ? null : nameKey(patch.name),
        color: patch.color ?? null,
        setHotkey: patch.hotkey === undefined ? 0 : 1,
        hotkey: patch.hotkey ?? null,
        shapeTypes: patch.shapeTypes === undefined ? null : patch.shapeTypes.join(","),
      });
    },
    /** Moves a label to `position` and renumbers the set 0..n-1 without gaps. */
    move: (projectId: number, id: number, position: number) => {
      const ids = (all.all(projectId) as LabelRow[]).map((r) => r.id).filter((x) => x !== id);
      ids.splice(Math.min(position, ids.length), 0, id);
      ids.forEach((lid, i) => {
        setPosition.run(i, lid);
      });
    },
    renumber: (projectId: number) => {
      const ids = (all.all(projectId) as LabelRow[]).map((r) => r.id);
      ids.forEach((lid, i) => {
        setPosition.run(i, lid);
      });
    },
    usage: (id: number) => usage.get(id, id) as { annotations: number; tags: number },
    shapeTypesInUse: (id: number): ShapeType[] => shapeTypesInUse.all(id) as ShapeType[],
    /** Moves the label's annotations and image tags to `targetId`. */
    reassign: (id: number, targetId: number, now: string) => {
      reassignShapes.run(targetId, now, id);
      reassignTags.run(targetId, id);
    },
    /** Deletes the label's annotations (imageChangesRepo.labelShapesDeleting keeps the counts right first). */
    deleteAnnotationsOf: (id: number) => deleteAnnotationsOf.run(id),
    /** Deletes the label; its image tags go with it (ON DELETE CASCADE). */
    delete: (id: number) => deleteOne.run(id),
  };
};
export type LabelRepo = ReturnType<typeof labelRepo>;
