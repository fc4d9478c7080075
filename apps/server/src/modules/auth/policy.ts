import { type EndpointName, POLICY, reachesEveryProject, roleMayCall } from "@labelbench/schema";
import type { Response } from "express";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { authOf } from "./context.js";
import { authRepo } from "./repo.js";

const READ_METHODS = new Set(["GET", "HEAD"]);
/** Rules other than `project` do not look at a project. */
const NO_PROJECT = { member: false, annotatorsCanExport: false };

/**
 * Enforces `POLICY` (packages/schema/src/policy.ts, the table the web reads too), deciding with the
 * same `roleMayCall`; this adds who the caller is, token scopes, and which refusal to answer.
 * Throws the right 401/403/404 unless the caller may run `name` with these params.
 */
export const authorize = async (
  deps: Deps,
  name: EndpointName,
  method: string,
  params: Record<string, unknown>,
  res: Response,
): Promise<void> => {
  const rule = POLICY[name];
  if (rule.kind === "public") return;
  const auth = authOf(res);
  if (!auth) throw new AppError("UNAUTHENTICATED", "sign in, or send `Authorization: Bearer <token>`");
  if (auth.imageKeyProject !== undefined) await checkImageKey(deps, name, params, auth.imageKeyProject);
  if (auth.scope === "read" && !READ_METHODS.has(method)) {
    throw new AppError("FORBIDDEN", "this API token is read-only; create a token with the write scope");
  }
  const { role } = auth.user;
  if (rule.kind !== "project") {
    if (roleMayCall(rule, role, NO_PROJECT)) return;
    throw new AppError(
      "FORBIDDEN",
      rule.kind === "admin" ? "only admins may do this" : "only managers and admins may do this",
    );
  }
  if (reachesEveryProject(role)) return;
  const repo = authRepo(deps.sql);
  // What a non-member is told instead: that the resource in the path does not exist.
  const hidden = () =>
    typeof params.imageId === "number"
      ? notFound("image", params.imageId)
      : typeof params.issueId === "number"
        ? notFound("issue", params.issueId)
        : typeof params.runId === "number"
          ? notFound("prediction run", params.runId)
          : typeof params.backendId === "number"
            ? notFound("model backend", params.backendId)
            : typeof params.jobId === "number"
              ? notFound("model backend job", params.jobId)
              : null;
  const projectId =
    typeof params.projectId === "number"
      ? params.projectId
      : typeof params.imageId === "number"
        ? await repo.projectOfImage(params.imageId)
        : typeof params.issueId === "number"
          ? await repo.projectOfIssue(params.issueId)
          : typeof params.runId === "number"
            ? await repo.projectOfPredictionRun(params.runId)
            : typeof params.backendId === "number"
              ? await repo.projectOfBackend(params.backendId)
              : typeof params.jobId === "number"
                ? await repo.projectOfBackendJob(params.jobId)
                : null;
  if (projectId === null) {
    throw (
      hidden() ?? new AppError("INTERNAL", `endpoint ${name} has a project rule but no project in its path`)
    );
  }
  if (!(await repo.isMember(projectId, auth.user.id))) throw hidden() ?? notFound("project", projectId);
  const access = {
    member: true,
    annotatorsCanExport: rule.need === "export" && (await repo.annotatorsCanExport(projectId)),
  };
  if (roleMayCall(rule, role, access)) return;
  throw new AppError(
    "FORBIDDEN",
    rule.need === "export"
      ? "this project does not allow annotators to export"
      : rule.need === "review"
        ? "only reviewers, managers and admins may review"
        : "only managers and admins may change this project's setup",
  );
};

/**
 * A model backend's image key (issue 17) downloads the original files of its project's images, and
 * does nothing else: any other endpoint, or an image of another project, is a 403 that says so.
 */
const checkImageKey = async (
  deps: Deps,
  name: EndpointName,
  params: Record<string, unknown>,
  projectId: number,
): Promise<void> => {
  if (name !== "imageFile")
    throw new AppError(
      "FORBIDDEN",
      "this is a model backend's image key: it only downloads image files (GET /api/v1/images/:id/file)",
    );
  const imageProject =
    typeof params.imageId === "number" ? await authRepo(deps.sql).projectOfImage(params.imageId) : null;
  if (imageProject === null) throw notFound("image", params.imageId as number);
  if (imageProject !== projectId)
    throw new AppError(
      "FORBIDDEN",
      `this image key reads only the image files of project ${projectId}; image ${String(params.imageId)} is in another project`,
    );
};
