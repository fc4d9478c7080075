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
import { imagesRouter } from "./modules/images/router.js";
import { labelsRouter } from "./modules/labels/router.js";
import { projectsRouter } from "./modules/projects/router.js";
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
  /** Accounts and roles are enforced unless a test turns them off on purpose. */
  enforceAuth?: boolean;
  /** Built web app to serve; defaults to apps/web/dist when it exists. */
  webDist?: string | null;
}

/** Builds the HTTP app around injected dependencies; it opens no files and listens on nothing. */
export const createApp = (opts: AppOptions): Express => {
  const log = opts.log ?? pino({ level: opts.config.logLevel });
  const deps: Deps = {
    db: opts.db,
    storage: opts.storage,
    config: opts.config,
    log,
    now: opts.now ?? (() => new Date().toISOString()),
  };
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  const enforce = opts.enforceAuth ?? false;
  app.locals.authorize = enforce
    ? (name: EndpointName, method: string, params: Record<string, unknown>, res: Response) =>
        authorize(deps, name, method, params, res)
    : () => undefined;

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
  if (enforce) api.use(requireSetupDone(deps));
  api.use(authRouter(deps));
  api.use(projectsRouter(deps));
  api.use(labelsRouter(deps));
  api.use(imagesRouter(deps));
  api.use(annotationsRouter(deps));
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
  return app;
};
