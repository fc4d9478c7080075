import type { ProjectStats } from "@labelbench/schema";
import type { ImageRepo } from "../images/repo.js";
import type { ProjectRepo } from "./repo.js";

export const projectStats = async (
  projects: ProjectRepo,
  images: ImageRepo,
  projectId: number,
): Promise<ProjectStats> => {
  const rows = projects.labelStats(projectId);
  return {
    counts: await images.statusCounts(projectId),
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
