import { api, reachesEveryProject } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { authOf } from "../auth/context.js";
import { authRepo } from "../auth/repo.js";
import { removeImageFiles } from "../images/files.js";
import { projectRepo } from "./repo.js";
import { requireProject } from "./require-project.js";
import { projectStats } from "./stats.js";

export const projectsRouter = (deps: Deps): Router => {
  const r = Router();
  const repo = projectRepo(deps.sql);
  const members = authRepo(deps.sql);

  route(r, api.listProjects, async ({ res }) => {
    const auth = authOf(res);
    // Reviewers and annotators see only the projects they are members of.
    if (auth && !reachesEveryProject(auth.user.role)) {
      const mine = new Set(await members.memberProjectIds(auth.user.id));
      return { items: (await repo.list()).filter((p) => mine.has(p.id)) };
    }
    return { items: await repo.list() };
  });
  route(r, api.createProject, async ({ body, res }) => {
    const creator = authOf(res)?.user;
    // The project and its creator's membership together: an annotator-visible project never lacks it.
    const id = await deps.sql.transaction().execute(async (trx) => {
      const now = deps.now();
      const id = await projectRepo(trx).create(body.name, body.description, now);
      if (creator) await authRepo(trx).addMember(id, creator.id, now);
      return id;
    });
    return requireProject(repo, id);
  });
  route(r, api.getProject, ({ params }) => requireProject(repo, params.projectId));
  route(r, api.updateProject, async ({ params, body }) => {
    await requireProject(repo, params.projectId);
    await repo.update(params.projectId, body, deps.now());
    return requireProject(repo, params.projectId);
  });
  route(r, api.deleteProject, async ({ params }) => {
    await requireProject(repo, params.projectId);
    const shas = await repo.exclusiveShas(params.projectId);
    await deps.sql.transaction().execute((trx) => projectRepo(trx).delete(params.projectId));
    // Files go after the rows: a crash in between leaves orphan files, never rows without files.
    await removeImageFiles(deps, shas);
  });
  route(r, api.projectStats, async ({ params }) => {
    await requireProject(repo, params.projectId);
    return projectStats(repo, params.projectId);
  });
  return r;
};
