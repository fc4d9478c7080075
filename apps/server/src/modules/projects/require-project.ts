import type { Project } from "@labelbench/schema";
import { notFound } from "../../http/errors.js";
import type { ProjectRepo } from "./repo.js";

/** The project, or the NOT_FOUND every project-scoped endpoint answers for an unknown id. */
export const requireProject = async (repo: ProjectRepo, id: number): Promise<Project> => {
  const p = await repo.get(id);
  if (!p) throw notFound("project", id);
  return p;
};
