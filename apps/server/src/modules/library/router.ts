import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { authOf } from "../auth/context.js";
import { libraryService } from "./service.js";

/** The library's bulk actions and folder tree (issue 18): wiring only, rules in service.ts. */
export const libraryRouter = (deps: Deps): Router => {
  const r = Router();
  const s = libraryService(deps);
  route(r, api.bulkImages, ({ params, body, res }) => {
    const user = authOf(res)?.user;
    if (!user) throw new AppError("UNAUTHENTICATED", "sign in, or send `Authorization: Bearer <token>`");
    return s.bulk(params.projectId, body, { userId: user.id, role: user.role, email: user.email });
  });
  route(r, api.imageFolders, ({ params }) => s.folders(params.projectId));
  return r;
};
