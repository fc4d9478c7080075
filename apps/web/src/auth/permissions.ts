import type { Project, Role } from "@labelbench/schema";

/**
 * What the web app shows to whom. The server refuses anyway (its policy table is the authority);
 * this only keeps controls that would fail out of sight. Mirrors apps/server/src/modules/auth/policy.ts.
 */
export type Action =
  /** Create projects. */
  | "createProject"
  /** A project's setup: label set, upload, delete and import images, members, settings, rename, delete. */
  | "manageProject"
  /** Download exports of a project (annotators only where the project allows it). */
  | "export"
  /** The users admin page. */
  | "manageUsers";

export const can = (
  role: Role,
  action: Action,
  project?: Pick<Project, "annotatorsCanExport"> | null,
): boolean => {
  switch (action) {
    case "manageUsers":
      return role === "admin";
    case "createProject":
    case "manageProject":
      return role !== "annotator";
    case "export":
      return role !== "annotator" || project?.annotatorsCanExport === true;
  }
};

export const ROLE_LABEL: Record<Role, string> = {
  admin: "Admin",
  manager: "Manager",
  annotator: "Annotator",
};

export const ROLE_HINT: Record<Role, string> = {
  admin: "Everything, including users",
  manager: "Creates projects, edits label sets, uploads, imports, exports, adds members",
  annotator: "Annotates in the projects they are a member of",
};
