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
