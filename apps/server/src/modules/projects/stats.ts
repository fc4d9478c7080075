import type { ProjectStats } from "@labelbench/schema";
import type { ProjectRepo } from "./repo.js";

export const projectStats = async (projects: ProjectRepo, projectId: number): Promise<ProjectStats> => {
  const [counts, rows] = await Promise.all([
    projects.statusCounts(projectId),
    projects.labelStats(projectId),
  ]);
  return {
    counts,
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
