import { AnnotationSet, api, checkAnnotationSet, type Endpoint } from "@labelbench/schema";
import { type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { zodIssues } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { actorOf, authOf } from "../auth/context.js";
import { copyService } from "../copies/service.js";
import { goldService } from "../gold/service.js";
import { notifyAnnotationSaved } from "../model-backends/router.js";
import type { SaveCaller } from "../review/save-guard.js";
import { annotationService } from "./service.js";

/**
 * Sends an annotation set checked against the contract by the schema's fast path: the route helper's
 * zod check of the reply took 100-200 ms for a dense image (12,000 shapes), this takes a few. A set the
 * fast path refuses goes through zod like any reply, so a broken one is still a 500 naming the field.
 */
const sendSet = (res: Response, endpoint: Endpoint, set: AnnotationSet): void => {
  const checked = checkAnnotationSet(set);
  if (checked) {
    res.status(endpoint.status).json(checked);
    return;
  }
  const r = AnnotationSet.safeParse(set);
  if (r.success) {
    res.status(endpoint.status).json(r.data);
    return;
  }
  const issues = zodIssues(r.error, "response");
  throw new Error(
    `${endpoint.method} ${endpoint.path} replied outside its contract: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
  );
};

/** Who saves, for the workflow's rule on images someone else holds (review/save-guard.ts). */
const callerOf = (res: Response): SaveCaller | undefined => {
  const user = authOf(res)?.user;
  return user && { userId: user.id, role: user.role };
};

export const annotationsRouter = (deps: Deps): Router => {
  const r = Router();
  const service = annotationService(deps);
  // A caller holding a copy of the image (issue 16) reads and writes that copy, blind.
  const copies = copyService(deps);
  const gold = goldService(deps);
  route(r, api.getAnnotations, async ({ params, res }) => {
    const copy = await copies.get(params.imageId, callerOf(res));
    if (copy) {
      sendSet(res, api.getAnnotations, copy);
      return;
    }
    // Stored rows in canonical form are spliced into the reply as they are (set-json.ts).
    const json = await service.getJson(params.imageId);
    if (json !== null) {
      res.status(api.getAnnotations.status).type("application/json").send(json);
      return;
    }
    sendSet(res, api.getAnnotations, await service.get(params.imageId));
  });
  route(r, api.putAnnotations, async ({ params, body, req, res }) => {
    const caller = callerOf(res);
    const copy = await copies.put(params.imageId, body, actorOf(res), caller);
    if (copy) {
      sendSet(res, api.putAnnotations, copy);
      return;
    }
    // Real work waits for an annotator's qualification (issue 16).
    await gold.requireQualifiedOn(params.imageId, caller);
    const set = await service.put(params.imageId, body, actorOf(res), caller);
    await gold.referenceSaved(params.imageId);
    notifyAnnotationSaved(deps, req, res, params.imageId);
    sendSet(res, api.putAnnotations, set);
  });
  route(r, api.patchAnnotations, async ({ params, body, req, res }) => {
    const caller = callerOf(res);
    const copy = await copies.patch(params.imageId, body, actorOf(res), caller);
    if (copy) return copy;
    await gold.requireQualifiedOn(params.imageId, caller);
    const result = await service.patch(params.imageId, body, actorOf(res), caller);
    await gold.referenceSaved(params.imageId);
    notifyAnnotationSaved(deps, req, res, params.imageId);
    return result;
  });
  return r;
};
