import { api } from "@labelbench/schema";
import { type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { authOf } from "../auth/context.js";
import { type Caller, reviewService } from "./service.js";

/** The signed-in caller (every workflow endpoint has a project rule, so there is one). */
const callerOf = (res: Response): Caller => {
  const user = authOf(res)?.user;
  if (!user) throw new AppError("UNAUTHENTICATED", "sign in, or send `Authorization: Bearer <token>`");
  return { userId: user.id, role: user.role, email: user.email };
};

/** The quality workflow's endpoints except issues (issue 15): wiring only, rules in service.ts. */
export const reviewRouter = (deps: Deps): Router => {
  const r = Router();
  const s = reviewService(deps);
  route(r, api.getReviewSettings, ({ params }) => s.settings(params.projectId));
  route(r, api.updateReviewSettings, ({ params, body }) => s.updateSettings(params.projectId, body));
  route(r, api.assignImages, ({ params, body, res }) => s.assign(params.projectId, body, callerOf(res)));
  route(r, api.nextWork, ({ params, res }) => s.next(params.projectId, callerOf(res)));
  route(r, api.myWork, ({ params, query, res }) => s.mine(params.projectId, query, callerOf(res)));
  route(r, api.getImageWork, ({ params }) => s.work(params.imageId));
  route(r, api.releaseImage, ({ params, res }) => s.release(params.imageId, callerOf(res)));
  route(r, api.submitImage, ({ params, body, res }) =>
    s.submit(params.imageId, body.revision, callerOf(res)),
  );
  route(r, api.decideImage, ({ params, body, res }) => s.decide(params.imageId, body, callerOf(res)));
  route(r, api.reviewQueue, ({ params, query }) => s.queue(params.projectId, query));
  route(r, api.reviewDiff, ({ params }) => s.diff(params.imageId));
  route(r, api.imageHistory, ({ params }) => s.history(params.imageId));
  route(r, api.reportActivity, ({ params, body, res }) =>
    s.activity(params.imageId, body.seconds, callerOf(res)),
  );
  route(r, api.annotatorStats, async ({ params, res }) => ({
    items: await s.stats(params.projectId, callerOf(res)),
  }));
  return r;
};
