import type { Project } from "@labelbench/schema";
import { createContext, useContext } from "react";

/**
 * The project a page works in. `app/ProjectLayout` loads it and provides it; pages read it here, so a
 * page depends on this small module and not on the shell that frames it.
 */
export interface ProjectContextValue {
  project: Project;
  /** Refetches the project (its counts change with uploads and status changes). */
  reloadProject: () => void;
}

export const ProjectContext = createContext<ProjectContextValue | null>(null);

export const useProject = (): ProjectContextValue => {
  const v = useContext(ProjectContext);
  if (!v) throw new Error("useProject used outside a project route");
  return v;
};
