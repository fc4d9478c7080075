import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { copyService } from "./service.js";

/** Managers' and reviewers' reads of private copies (issue 16): wiring only. */
export const copiesRouter = (deps: Deps): Router => {
  const r = Router();
  const copies = copyService(deps);
  route(r, api.listImageCopies, async ({ params }) => ({ items: await copies.list(params.imageId) }));
  route(r, api.getImageCopy, ({ params }) => copies.one(params.imageId, params.userId));
  return r;
};
