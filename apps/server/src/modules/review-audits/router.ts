import { api } from "@labelbench/schema";
import { type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { authOf } from "../auth/context.js";
import { type Auditor, auditService } from "./service.js";

const auditorOf = (res: Response): Auditor => {
  const user = authOf(res)?.user;
  if (!user) throw new AppError("UNAUTHENTICATED", "sign in, or send `Authorization: Bearer <token>`");
  return { userId: user.id, role: user.role, email: user.email };
};

/** Reviewer audits (issue 16): wiring only, rules in service.ts. */
export const reviewAuditsRouter = (deps: Deps): Router => {
  const r = Router();
  const s = auditService(deps);
  route(r, api.listAudits, ({ params, query, res }) => s.list(params.projectId, query, auditorOf(res)));
  route(r, api.auditImage, ({ params, body, res }) => s.verdict(params.imageId, body, auditorOf(res)));
  route(r, api.reviewerPrecision, async ({ params, res }) => ({
    items: await s.precision(params.projectId, auditorOf(res)),
  }));
  return r;
};
