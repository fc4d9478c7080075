import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { EndpointName } from "@labelbench/schema";
import express, { type Express, type Response } from "express";
import pino, { type Logger } from "pino";
import type { Config } from "./config.js";
import type { Db } from "./db/database.js";
import type { Deps } from "./deps.js";
import { envelope, errorHandler } from "./http/errors.js";
import { annotationsRouter } from "./modules/annotations/router.js";
import { authenticate, requireSetupDone } from "./modules/auth/middleware.js";
import { authorize } from "./modules/auth/policy.js";
import { authRouter } from "./modules/auth/router.js";
import { resumeImports } from "./modules/datasets/import-publish.js";
import { removeImportTemps } from "./modules/datasets/receive.js";
import { datasetsRouter } from "./modules/datasets/router.js";
import { imagesRouter } from "./modules/images/router.js";
import { labelsRouter } from "./modules/labels/router.js";
import { projectsRouter } from "./modules/projects/router.js";
import { createTileQueue, type TileQueue } from "./modules/tiles/queue.js";
import { tilesRouter } from "./modules/tiles/router.js";
import { openApiDocument } from "./openapi.js";
import type { Storage } from "./storage/storage.js";

export const VERSION = "0.1.0";
const DEFAULT_WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/dist");

export interface AppOptions {
  db: Db;
  storage: Storage;
  config: Config;
  log?: Logger;
  now?: () => string;
  /** Built web app to serve; defaults to apps/web/dist when it exists. */
  webDist?: string | null;
}

/** The app plus its background tile worker, which main.ts and tests stop before closing the database. */
export type LabelbenchApp = Express & { readonly tiles: TileQueue };

/** Builds the HTTP app around injected dependencies; it opens no files and listens on nothing. */
export const createApp = (opts: AppOptions): LabelbenchApp => {
  const log = opts.log ?? pino({ level: opts.config.logLevel });
  const tiles = createTileQueue({ db: opts.db, storage: opts.storage, config: opts.config, log });
  // No import runs yet: one a stopped process was publishing is finished, and what imports left in
  // the temp folder (uploads, staging files of imports that never committed) is removed.
  resumeImports({ db: opts.db, config: opts.config, log });
  removeImportTemps(opts.storage.tempDir);
  const deps: Deps = {
    db: opts.db,
    storage: opts.storage,
    config: opts.config,
    log,
    now: opts.now ?? (() => new Date().toISOString()),
    tiles,
  };
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.locals.authorize = (
    name: EndpointName,
    method: string,
    params: Record<string, unknown>,
    res: Response,
  ) => authorize(deps, name, method, params, res);

  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log.info(
        { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        "request",
      );
    });
    next();
  });

  const api = express.Router();
  api.use(express.json({ limit: "64mb" }));
  api.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument(VERSION));
  });
  api.get("/health", (_req, res) => {
    res.json({ ok: true, version: VERSION });
  });
  api.use(authenticate(deps));
  api.use(requireSetupDone(deps));
  api.use(authRouter(deps));
  api.use(projectsRouter(deps));
  api.use(labelsRouter(deps));
  api.use(imagesRouter(deps));
  api.use(tilesRouter(deps));
  api.use(annotationsRouter(deps));
  api.use(datasetsRouter(deps));
  api.use((req, res) => {
    res.status(404).json(envelope("NOT_FOUND", `no API route for ${req.method} ${req.originalUrl}`));
  });
  app.use("/api/v1", api);

  const webDist = opts.webDist === undefined ? DEFAULT_WEB_DIST : opts.webDist;
  if (webDist && fs.existsSync(path.join(webDist, "index.html"))) {
    app.use("/assets", express.static(path.join(webDist, "assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(webDist, { index: false }));
    // Client-side routes: every other GET gets the app shell.
    app.get(/^(?!\/api\/).*/, (_req, res) => {
      res.setHeader("Cache-Control", "no-cache");
      res.sendFile(path.join(webDist, "index.html"));
    });
  }
  app.use(errorHandler(log));
  // Resumes pyramids left 'pending' by a previous run.
  tiles.start();
  return Object.assign(app, { tiles });
};
