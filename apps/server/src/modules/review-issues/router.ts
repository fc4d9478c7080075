import { api } from "@labelbench/schema";
import { type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { authOf } from "../auth/context.js";
import { copyService } from "../copies/service.js";
import { type Actor, issueService } from "./service.js";

/** The caller, whom the policy has already let through (issues are never anonymous). */
const actor = (res: Response): Actor => {
  const a = authOf(res);
  if (!a) throw new AppError("UNAUTHENTICATED", "sign in first");
  return a.user;
};

/** Issues pinned on points, regions and shapes, and their threads (docs/quality-workflow.md). */
export const reviewIssuesRouter = (deps: Deps): Router => {
  const r = Router();
  const issues = issueService(deps);
  const copies = copyService(deps);
  // Issues are raised on the image's own annotations: a copy holder has none (issue 16).
  route(r, api.listImageIssues, async ({ params, res }) =>
    (await copies.targetOf(params.imageId, { userId: actor(res).id, role: actor(res).role }))
      ? { items: [] }
      : issues.listOfImage(params.imageId),
  );
  route(r, api.createIssue, ({ params, body, res }) => issues.create(params.imageId, body, actor(res)));
  route(r, api.listProjectIssues, ({ params, query }) => issues.listOfProject(params.projectId, query));
  route(r, api.fixIssue, ({ params, body, res }) =>
    issues.step(params.issueId, "fix", body.comment, actor(res)),
  );
  route(r, api.resolveIssue, ({ params, body, res }) =>
    issues.step(params.issueId, "resolve", body.comment, actor(res)),
  );
  route(r, api.reopenIssue, ({ params, body, res }) =>
    issues.step(params.issueId, "reopen", body.comment, actor(res)),
  );
  route(r, api.commentIssue, ({ params, body, res }) =>
    issues.comment(params.issueId, body.body, actor(res)),
  );
  return r;
};
