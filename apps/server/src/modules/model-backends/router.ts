import { api } from "@labelbench/schema";
import { type Request, type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { actorOf, authOf } from "../auth/context.js";
import { backendService, type Caller } from "./service.js";

const callerOf = (res: Response): Caller => {
  const user = authOf(res)?.user;
  if (!user) throw new AppError("UNAUTHENTICATED", "sign in, or send `Authorization: Bearer <token>`");
  return { userId: user.id, email: user.email };
};

/** The address the request came in on (behind a trusted proxy, the one the client used). */
export const originOf = (req: Request): string => `${req.protocol}://${req.host}`;

/** Model servers (issue 17): wiring only, rules in service.ts. */
export const modelBackendsRouter = (deps: Deps): Router => {
  const r = Router();
  const s = backendService(deps, deps.backends);
  route(r, api.listModelBackends, async ({ params }) => ({ items: await s.list(params.projectId) }));
  route(r, api.createModelBackend, ({ params, body, res }) => s.create(params.projectId, body, actorOf(res)));
  route(r, api.getModelBackend, ({ params }) => s.get(params.backendId));
  route(r, api.updateModelBackend, ({ params, body }) => s.update(params.backendId, body));
  route(r, api.deleteModelBackend, ({ params }) => s.remove(params.backendId));
  route(r, api.testModelBackend, ({ params, body, req, res }) =>
    s.test(params.backendId, body.imageId, callerOf(res), originOf(req)),
  );
  route(r, api.startModelBackendJob, ({ params, body, req, res }) =>
    s.startJob(params.backendId, body, callerOf(res), originOf(req)),
  );
  route(r, api.listModelBackendJobs, async ({ params }) => ({ items: await s.listJobs(params.backendId) }));
  route(r, api.getModelBackendJob, ({ params }) => s.getJob(params.jobId));
  route(r, api.cancelModelBackendJob, ({ params }) => s.cancelJob(params.jobId));
  route(r, api.trainModelBackend, ({ params }) => s.train(params.backendId));
  route(r, api.listModelBackendWebhooks, async ({ params }) => ({
    items: await s.webhooks(params.backendId),
  }));
  return r;
};

/**
 * The annotation routes call this after a save: the training webhooks are queued in the background,
 * so a save never waits for them and never fails because of them.
 */
export const notifyAnnotationSaved = (deps: Deps, req: Request, res: Response, imageId: number): void =>
  notifyAnnotationsSaved(deps, req, res, [imageId]);

/**
 * The same for saves of several images at once (a bulk accept of predictions): one event per image,
 * exactly as if each had been saved alone, queued one image after another so a bulk accept of
 * thousands of images does not open thousands of reads at once.
 */
export const notifyAnnotationsSaved = (
  deps: Deps,
  req: Request,
  res: Response,
  imageIds: readonly number[],
): void => {
  if (imageIds.length === 0) return;
  const actor = actorOf(res);
  const origin = originOf(req);
  const service = backendService(deps, deps.backends);
  void (async () => {
    for (const imageId of imageIds)
      await service
        .annotationSaved(imageId, actor, origin)
        .catch((err: unknown) =>
          deps.log.warn({ err, imageId }, "could not queue the model backends' webhooks"),
        );
  })();
};
