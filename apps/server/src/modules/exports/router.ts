import { api } from "@labelbench/schema";
import { Router } from "express";
import type { Deps } from "../../deps.js";
import { route } from "../../http/route.js";
import { versionService } from "../versions/service.js";
import { exportDataset } from "./export.js";
import { EXPORT_SLOTS, pgSlotLeases, Slots } from "./export-slots.js";

export const exportsRouter = (deps: Deps): Router => {
  const r = Router();
  // One line of export slots per app: exports beyond the limit wait (export-slots.ts). On
  // PostgreSQL the limit holds across every process on the database.
  const exportSlots =
    deps.dialect === "postgres"
      ? new Slots(
          EXPORT_SLOTS,
          pgSlotLeases(deps.sql, EXPORT_SLOTS.running, {
            onLost: (err) => deps.log.warn({ err }, "export slot lease lost; the export goes on"),
          }),
        )
      : new Slots();
  const versions = versionService(deps);
  route(r, api.exportDataset, async ({ params, query, req, res }) => {
    if (query.version === undefined) return exportDataset(deps, exportSlots, params.projectId, query, res);
    // A dataset version (issue 17): its frozen rows through the same plan and encoders.
    const splitGiven = req.query.split !== undefined || req.query.seed !== undefined;
    const v = await versions.exportOf(params.projectId, query.version, query, splitGiven);
    return exportDataset(deps, exportSlots, params.projectId, v.options, res, {
      scope: v.scope,
      version: v.version,
    });
  });
  return r;
};
