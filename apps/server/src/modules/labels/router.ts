import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/require-project.js";
import { labelService } from "./service.js";

export const labelsRouter = (deps: Deps): Router => {
  const r = Router();
  const projects = projectRepo(deps.sql);
  const labels = labelService(deps.db);
  const touch = (projectId: number) => projects.touch(projectId, deps.now());

  route(r, api.listLabels, async ({ params }) => {
    await requireProject(projects, params.projectId);
    return { items: labels.list(params.projectId) };
  });
  route(r, api.createLabel, async ({ params, body }) => {
    await requireProject(projects, params.projectId);
    const l = labels.create(params.projectId, { ...body, hotkey: body.hotkey ?? null });
    await touch(params.projectId);
    return l;
  });
  route(r, api.bulkCreateLabels, async ({ params, body }) => {
    await requireProject(projects, params.projectId);
    const items = labels.bulkCreate(params.projectId, body.names);
    await touch(params.projectId);
    return { items };
  });
  route(r, api.updateLabel, async ({ params, body }) => {
    await requireProject(projects, params.projectId);
    const l = labels.update(params.projectId, params.labelId, body);
    await touch(params.projectId);
    return l;
  });
  route(r, api.deleteLabel, async ({ params, query }) => {
    await requireProject(projects, params.projectId);
    labels.delete(params.projectId, params.labelId, query);
    await touch(params.projectId);
  });
  return r;
};
