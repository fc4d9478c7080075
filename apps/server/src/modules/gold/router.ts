import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { members } from "../review/work-repo.js";
import { goldService } from "./service.js";

/** Quality settings, gold images and qualification (issue 16): wiring only, rules in service.ts. */
export const goldRouter = (deps: Deps): Router => {
  const r = Router();
  const gold = goldService(deps);
  route(r, api.getQualitySettings, ({ params }) => gold.settings(params.projectId));
  route(r, api.putQualitySettings, ({ params, body }) => gold.updateSettings(params.projectId, body));
  route(r, api.markGold, ({ params, body }) => gold.mark(params.projectId, body));
  route(r, api.listQualification, async ({ params }) => {
    await gold.settings(params.projectId);
    const people = (await members(deps.sql, params.projectId)).filter((m) => m.role === "annotator");
    const states = await gold.qualificationOfMembers(
      deps.sql,
      params.projectId,
      people.map((p) => p.id),
    );
    return {
      items: people.flatMap((p) => {
        const s = states.get(p.id);
        return s ? [{ userId: p.id, name: p.name, ...s }] : [];
      }),
    };
  });
  route(r, api.resetQualification, ({ params }) => gold.reset(params.projectId, params.userId));
  return r;
};
