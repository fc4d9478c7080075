import { api } from "@labelbench/schema";
import { type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { authOf } from "../auth/context.js";
import { imagesCsv, type QualityCaller, qualityService, reportCsv } from "./service.js";

const callerOf = (res: Response): QualityCaller => {
  const user = authOf(res)?.user;
  if (!user) throw new AppError("UNAUTHENTICATED", "sign in, or send `Authorization: Bearer <token>`");
  return { userId: user.id, role: user.role };
};

/** A CSV download: UTF-8, named after what it holds. */
const sendCsv = (res: Response, name: string, body: string) => {
  res
    .status(200)
    .type("text/csv; charset=utf-8")
    .set("Content-Disposition", `attachment; filename="${name}.csv"`)
    .send(body);
};

/** The QC report (issue 16): wiring only, rules in service.ts. */
export const qualityRouter = (deps: Deps): Router => {
  const r = Router();
  const s = qualityService(deps);
  route(r, api.qualityReport, async ({ params, query, res }) => {
    const report = await s.report(params.projectId, query, callerOf(res));
    if (query.format === "csv" && query.by) {
      sendCsv(res, `quality-${params.projectId}-${query.by}`, reportCsv(report, query.by));
      return;
    }
    return report;
  });
  route(r, api.qualityImages, async ({ params, query, res }) => {
    const page = await s.images(params.projectId, query, callerOf(res));
    if (query.format === "csv") {
      sendCsv(res, `quality-${params.projectId}-images`, imagesCsv(page));
      return;
    }
    return page;
  });
  route(r, api.qualityComparison, ({ params, query, res }) =>
    s.comparison(params.imageId, query, callerOf(res)),
  );
  route(r, api.rescoreQuality, ({ params }) => s.rescore(params.projectId));
  return r;
};
