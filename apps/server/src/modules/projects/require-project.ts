import type { Project } from "@labelbench/schema";
import { notFound } from "../../http/errors.js";
import type { ProjectRepo } from "./repo.js";

/** The project, or the NOT_FOUND every project-scoped endpoint answers for an unknown id. */
export const requireProject = (repo: ProjectRepo, id: number): Project => {
  const p = repo.get(id);
  if (!p) throw notFound("project", id);
  return p;
};
