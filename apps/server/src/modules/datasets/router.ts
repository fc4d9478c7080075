import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { actorOf } from "../auth/context.js";
import { exportDataset } from "./export.js";
import { Slots } from "./export-slots.js";
import { importDataset } from "./import.js";

export const datasetsRouter = (deps: Deps): Router => {
  const r = Router();
  // One line of export slots per app: exports beyond the limit wait (export-slots.ts).
  const exportSlots = new Slots();
  route(r, api.exportDataset, ({ params, query, res }) =>
    exportDataset(deps, exportSlots, params.projectId, query, res),
  );
  route(r, api.importDataset, ({ params, query, req, res }) =>
    importDataset(deps, params.projectId, query, req, actorOf(res)),
  );
  return r;
};
