import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { actorOf } from "../auth/context.js";
import { annotationService } from "./service.js";

export const annotationsRouter = (deps: Deps): Router => {
  const r = Router();
  const service = annotationService(deps);
  route(r, api.getAnnotations, ({ params }) => service.get(params.imageId));
  route(r, api.putAnnotations, ({ params, body, res }) => service.put(params.imageId, body, actorOf(res)));
  return r;
};
