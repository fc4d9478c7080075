import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { authOf } from "../auth/context.js";
import { authRepo } from "../auth/repo.js";
import { removeImageFiles } from "../images/files.js";
import { imageRepo } from "../images/repo.js";
import { projectRepo } from "./repo.js";
import { requireProject } from "./require-project.js";
import { projectStats } from "./stats.js";

export const projectsRouter = (deps: Deps): Router => {
  const r = Router();
  const repo = projectRepo(deps.db);
  const images = imageRepo(deps.sql, deps.dialect);
  const members = authRepo(deps.db);

  route(r, api.listProjects, ({ res }) => {
    const auth = authOf(res);
    // Annotators see only the projects they are members of.
    if (auth?.user.role === "annotator") {
      const mine = new Set(members.memberProjectIds(auth.user.id));
      return { items: repo.list().filter((p) => mine.has(p.id)) };
    }
    return { items: repo.list() };
  });

  route(r, api.createProject, ({ body, res }) => {
    const id = repo.create(body.name, body.description, deps.now());
    const creator = authOf(res)?.user;
    if (creator) members.addMember(id, creator.id, deps.now());
    return requireProject(repo, id);
  });

  route(r, api.getProject, ({ params }) => requireProject(repo, params.projectId));

  route(r, api.updateProject, ({ params, body }) => {
    requireProject(repo, params.projectId);
    repo.update(params.projectId, body, deps.now());
    return requireProject(repo, params.projectId);
  });

  route(r, api.deleteProject, async ({ params }) => {
    requireProject(repo, params.projectId);
    const shas = repo.exclusiveShas(params.projectId);
    repo.delete(params.projectId);
    // Files go after the rows: a crash in between leaves orphan files, never rows without files.
    await removeImageFiles(deps, shas);
  });

  route(r, api.projectStats, async ({ params }) => {
    requireProject(repo, params.projectId);
    return projectStats(repo, images, params.projectId);
  });

  return r;
};
