import { api } from "@labelbench/schema";
import { type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { authOf } from "../auth/context.js";
import { copyService } from "../copies/service.js";
import { goldService } from "../gold/service.js";
import { afterCopySubmit } from "../overlap/overlap.js";
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
  // A copy holder's submit, work, history and diff are their copy's (issue 16), in the same shapes.
  const copies = copyService(deps);
  const gold = goldService(deps);
  route(r, api.getReviewSettings, ({ params }) => s.settings(params.projectId));
  route(r, api.updateReviewSettings, ({ params, body }) => s.updateSettings(params.projectId, body));
  route(r, api.assignImages, ({ params, body, res }) => s.assign(params.projectId, body, callerOf(res)));
  route(r, api.nextWork, ({ params, res }) => s.next(params.projectId, callerOf(res)));
  route(r, api.myWork, ({ params, query, res }) => s.mine(params.projectId, query, callerOf(res)));
  route(
    r,
    api.getImageWork,
    async ({ params, res }) => (await copies.work(params.imageId, callerOf(res))) ?? s.work(params.imageId),
  );
  route(r, api.releaseImage, ({ params, res }) => s.release(params.imageId, callerOf(res)));
  route(r, api.submitImage, async ({ params, body, res }) => {
    const caller = callerOf(res);
    const copy = await copies.submit(params.imageId, body.revision, caller);
    if (copy) {
      // Blind overlap (issue 16): scored, and merged once the last annotator has submitted.
      await afterCopySubmit(deps, params.imageId, caller.userId);
      return copy;
    }
    await gold.requireQualifiedOn(params.imageId, caller);
    return s.submit(params.imageId, body.revision, caller);
  });
  route(r, api.decideImage, ({ params, body, res }) => s.decide(params.imageId, body, callerOf(res)));
  route(r, api.reviewQueue, ({ params, query }) => s.queue(params.projectId, query));
  route(r, api.reviewDiff, async ({ params, res }) => {
    const work = await copies.work(params.imageId, callerOf(res));
    if (!work) return s.diff(params.imageId);
    const none = { added: [], removed: [], changed: [], tagsAdded: [], tagsRemoved: [] };
    return { imageId: params.imageId, baseRevision: null, revision: work.revision, ...none };
  });
  route(r, api.imageHistory, async ({ params, res }) => {
    const work = await copies.work(params.imageId, callerOf(res));
    return work ? { work, events: [] } : s.history(params.imageId);
  });
  route(r, api.reportActivity, ({ params, body, res }) =>
    s.activity(params.imageId, body.seconds, callerOf(res)),
  );
  route(r, api.annotatorStats, async ({ params, res }) => ({
    items: await s.stats(params.projectId, callerOf(res)),
  }));
  return r;
};
