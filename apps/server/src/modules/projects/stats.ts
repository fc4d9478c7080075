import type { ProjectStats } from "@labelbench/schema";
import type { Db } from "../../db/database.js";
import { statusCounts } from "../images/repo.js";

export const projectStats = (db: Db, projectId: number): ProjectStats => {
  const rows = db
    .prepare(
      `SELECT l.id, l.name, l.color,
         (SELECT COUNT(*) FROM annotations a WHERE a.label_id = l.id) AS annotations,
         (SELECT COUNT(DISTINCT a.image_id) FROM annotations a WHERE a.label_id = l.id) AS images,
         (SELECT COUNT(*) FROM image_tags t WHERE t.label_id = l.id) AS tagged
       FROM labels l WHERE l.project_id = ? ORDER BY l.position, l.id`,
    )
    .all(projectId) as {
    id: number;
    name: string;
    color: string;
    annotations: number;
    images: number;
    tagged: number;
  }[];
  return {
    counts: statusCounts(db, projectId),
    labels: rows.map((r) => ({
      labelId: r.id,
      name: r.name,
      color: r.color,
      annotations: r.annotations,
      images: r.images,
      tagged: r.tagged,
    })),
    totalAnnotations: rows.reduce((s, r) => s + r.annotations, 0),
  };
};
