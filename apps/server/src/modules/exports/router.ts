import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { exportDataset } from "./export.js";
import { Slots } from "./export-slots.js";

export const exportsRouter = (deps: Deps): Router => {
  const r = Router();
  // One line of export slots per app: exports beyond the limit wait (export-slots.ts).
  const exportSlots = new Slots();
  route(r, api.exportDataset, ({ params, query, res }) =>
    exportDataset(deps, exportSlots, params.projectId, query, res),
  );
  return r;
};
