import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { actorOf } from "../auth/context.js";
import { importDataset } from "./import.js";

export const importsRouter = (deps: Deps): Router => {
  const r = Router();
  route(r, api.importDataset, ({ params, query, req, res }) =>
    importDataset(deps, params.projectId, query, req, actorOf(res)),
  );
  return r;
};
