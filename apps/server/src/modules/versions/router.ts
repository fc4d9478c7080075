import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { actorOf } from "../auth/context.js";
import { versionService } from "./service.js";

/** Dataset versions (issue 17); a version's export is the export endpoint's `?version=N`. */
export const versionsRouter = (deps: Deps): Router => {
  const r = Router();
  const versions = versionService(deps);
  route(r, api.listVersions, ({ params }) => versions.list(params.projectId));
  route(r, api.createVersion, ({ params, body, res }) =>
    versions.create(params.projectId, body, actorOf(res)),
  );
  route(r, api.getVersion, ({ params }) => versions.get(params.projectId, params.version));
  route(r, api.updateVersion, ({ params, body }) =>
    versions.setNote(params.projectId, params.version, body.note),
  );
  route(r, api.deleteVersion, ({ params }) => versions.delete(params.projectId, params.version));
  route(r, api.diffVersions, ({ params, query }) =>
    versions.diff(params.projectId, params.a, params.b, query),
  );
  return r;
};
