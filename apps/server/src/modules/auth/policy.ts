import type { EndpointName } from "@labelbench/schema";
import type { Response } from "express";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { authOf } from "./context.js";
import { authRepo } from "./repo.js";

/**
 * Who may call what. Every contract endpoint needs a row (the type says so, and the authorization
 * matrix test checks the behaviour of each row for every kind of caller).
 * - public: anyone, even before sign-in
 * - signedIn: any active user or token
 * - admin / manager: by global role (admins pass every manager check)
 * - project: a project resource; managers and admins reach every project, annotators only the
 *   projects they are members of (others answer 404, so their existence is not revealed):
 *   read and annotate for members, manage never, export when the project allows it.
 */
export type Rule =
  | { kind: "public" }
  | { kind: "signedIn" }
  | { kind: "admin" }
  | { kind: "manager" }
  | { kind: "project"; need: "read" | "annotate" | "manage" | "export" };

const project = (need: "read" | "annotate" | "manage" | "export"): Rule => ({ kind: "project", need });

export const POLICY: Partial<Record<EndpointName, Rule>> = {
  health: { kind: "public" },
  setupStatus: { kind: "public" },
  setup: { kind: "public" },
  login: { kind: "public" },
  logout: { kind: "signedIn" },
  me: { kind: "signedIn" },
  changePassword: { kind: "signedIn" },
  // Managers pick project members from this list (addMember); editing users stays admin-only.
  listUsers: { kind: "manager" },
  createUser: { kind: "admin" },
  updateUser: { kind: "admin" },
  listMembers: project("read"),
  addMember: project("manage"),
  removeMember: project("manage"),
  listTokens: { kind: "signedIn" },
  createToken: { kind: "signedIn" },
  deleteToken: { kind: "signedIn" },
  listProjects: { kind: "signedIn" },
  createProject: { kind: "manager" },
  getProject: project("read"),
  updateProject: project("manage"),
  deleteProject: project("manage"),
  projectStats: project("read"),
  listLabels: project("read"),
  createLabel: project("manage"),
  bulkCreateLabels: project("manage"),
  updateLabel: project("manage"),
  deleteLabel: project("manage"),
  uploadImages: project("manage"),
  listImages: project("read"),
  getImage: project("read"),
  updateImage: project("annotate"),
  deleteImage: project("manage"),
  imageFile: project("read"),
  imageThumbnail: project("read"),
  imageDisplay: project("read"),
  imageTile: project("read"),
  imagePreview: project("read"),
  imageNeighbours: project("read"),
  getAnnotations: project("read"),
  putAnnotations: project("annotate"),
  patchAnnotations: project("annotate"),
  exportDataset: project("export"),
  importDataset: project("manage"),
};

const READ_METHODS = new Set(["GET", "HEAD"]);

/** Throws the right 401/403/404 unless the caller may run `name` with these params. */
export const authorize = async (
  deps: Deps,
  name: EndpointName,
  method: string,
  params: Record<string, unknown>,
  res: Response,
): Promise<void> => {
  const rule = POLICY[name];
  if (!rule) throw new AppError("INTERNAL", `no authorization rule for endpoint ${name}`);
  if (rule.kind === "public") return;
  const auth = authOf(res);
  if (!auth) throw new AppError("UNAUTHENTICATED", "sign in, or send `Authorization: Bearer <token>`");
  if (auth.scope === "read" && !READ_METHODS.has(method)) {
    throw new AppError("FORBIDDEN", "this API token is read-only; create a token with the write scope");
  }
  const { role } = auth.user;
  switch (rule.kind) {
    case "signedIn":
      return;
    case "admin":
      if (role !== "admin") throw new AppError("FORBIDDEN", "only admins may do this");
      return;
    case "manager":
      if (role === "annotator") throw new AppError("FORBIDDEN", "only managers and admins may do this");
      return;
    case "project": {
      if (role !== "annotator") return;
      const repo = authRepo(deps.sql);
      const projectId =
        typeof params.projectId === "number"
          ? params.projectId
          : typeof params.imageId === "number"
            ? await repo.projectOfImage(params.imageId)
            : null;
      if (projectId === null) {
        if (typeof params.imageId === "number") throw notFound("image", params.imageId);
        throw new AppError("INTERNAL", `endpoint ${name} has a project rule but no project in its path`);
      }
      if (!(await repo.isMember(projectId, auth.user.id))) {
        if (typeof params.imageId === "number") throw notFound("image", params.imageId);
        throw notFound("project", projectId);
      }
      if (rule.need === "manage")
        throw new AppError("FORBIDDEN", "annotators cannot change this project's setup");
      if (rule.need === "export" && !(await repo.annotatorsCanExport(projectId))) {
        throw new AppError("FORBIDDEN", "this project does not allow annotators to export");
      }
      return;
    }
  }
};
