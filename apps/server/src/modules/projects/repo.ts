import type { Project } from "@labelbench/schema";
import type { Db } from "../../db/database.js";

interface ProjectRow {
  id: number;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  image_count: number;
  done_count: number;
  annotators_can_export: number;
}

const SELECT = `
  SELECT p.*,
    (SELECT coalesce(sum(c.n), 0) FROM image_status_counts c WHERE c.project_id = p.id) AS image_count,
    (SELECT coalesce(sum(c.n), 0) FROM image_status_counts c WHERE c.project_id = p.id AND c.status = 'done')
      AS done_count
  FROM projects p`;

const toProject = (r: ProjectRow): Project => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  imageCount: r.image_count,
  doneCount: r.done_count,
  annotatorsCanExport: r.annotators_can_export === 1,
});

export interface LabelStatsRow {
  id: number;
  name: string;
  color: string;
  annotations: number;
  images: number;
  tagged: number;
}

export const projectRepo = (db: Db) => {
  const byId = db.prepare(`${SELECT} WHERE p.id = ?`);
  const all = db.prepare(`${SELECT} ORDER BY p.id`);
  const insert = db.prepare(
    "INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)",
  );
  const update = db.prepare(
    `UPDATE projects SET name = coalesce(?, name), description = coalesce(?, description),
       annotators_can_export = coalesce(?, annotators_can_export), updated_at = ? WHERE id = ?`,
  );
  const remove = db.prepare("DELETE FROM projects WHERE id = ?");
  const touch = db.prepare("UPDATE projects SET updated_at = ? WHERE id = ?");
  const exclusiveShas = db
    .prepare<[number, number], string>(
      `SELECT DISTINCT sha256 FROM images WHERE project_id = ? AND sha256 NOT IN
       (SELECT sha256 FROM images WHERE project_id != ?)`,
    )
    .pluck();
  const labelStats = db.prepare<[number], LabelStatsRow>(
    `SELECT l.id, l.name, l.color,
       (SELECT COUNT(*) FROM annotations a WHERE a.label_id = l.id) AS annotations,
       (SELECT COUNT(DISTINCT a.image_id) FROM annotations a WHERE a.label_id = l.id) AS images,
       (SELECT COUNT(*) FROM image_tags t WHERE t.label_id = l.id) AS tagged
     FROM labels l WHERE l.project_id = ? ORDER BY l.position, l.id`,
  );
  return {
    get: (id: number): Project | null => {
      const r = byId.get(id) as ProjectRow | undefined;
      return r ? toProject(r) : null;
    },
    list: (): Project[] => (all.all() as ProjectRow[]).map(toProject),
    create: (name: string, description: string, now: string): number =>
      Number(insert.run(name, description, now, now).lastInsertRowid),
    update: (
      id: number,
      patch: {
        name?: string | undefined;
        description?: string | undefined;
        annotatorsCanExport?: boolean | undefined;
      },
      now: string,
    ): boolean =>
      update.run(
        patch.name ?? null,
        patch.description ?? null,
        patch.annotatorsCanExport === undefined ? null : patch.annotatorsCanExport ? 1 : 0,
        now,
        id,
      ).changes > 0,
    delete: (id: number): boolean => remove.run(id).changes > 0,
    touch: (id: number, now: string) => touch.run(now, id),
    /** sha256 of images only this project references: their files can go with it. */
    exclusiveShas: (id: number): string[] => exclusiveShas.all(id, id),
    /** Per label of the project, in label order: its shapes, the images holding them, its tags. */
    labelStats: (id: number): LabelStatsRow[] => labelStats.all(id),
  };
};
export type ProjectRepo = ReturnType<typeof projectRepo>;
