import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { API_BASE, type EndpointName } from "@labelbench/schema";
import express, { type Express, type Response } from "express";
import helmet from "helmet";
import type pg from "pg";
import pino, { type Logger } from "pino";
import type { Config } from "./config.js";
import { type DbConnection, sqliteKysely } from "./db/connect.js";
import type { Db } from "./db/database.js";
import type { Deps } from "./deps.js";
import { envelope, errorHandler } from "./http/errors.js";
import { annotationsRouter } from "./modules/annotations/router.js";
import { authenticate, requireSetupDone } from "./modules/auth/middleware.js";
import { authorize } from "./modules/auth/policy.js";
import { authRouter } from "./modules/auth/router.js";
import { newSetupCode } from "./modules/auth/setup-code.js";
import { copiesRouter } from "./modules/copies/router.js";
import { exportsRouter } from "./modules/exports/router.js";
import { goldRouter } from "./modules/gold/router.js";
import { imagesRouter } from "./modules/images/router.js";
import { createStoredFiles, type StoredFiles, type StoredFilesHooks } from "./modules/images/stored-files.js";
import { resumeImports } from "./modules/imports/import-publish.js";
import { removeImportTemps } from "./modules/imports/receive.js";
import { importsRouter } from "./modules/imports/router.js";
import { keymapRouter } from "./modules/keymap/router.js";
import { labelsRouter } from "./modules/labels/router.js";
import { libraryRouter } from "./modules/library/router.js";
import { modelBackendsRouter } from "./modules/model-backends/router.js";
import { type BackendWorker, createBackendWorker } from "./modules/model-backends/worker.js";
import { modelEvalRouter } from "./modules/model-eval/router.js";
import { predictionsRouter } from "./modules/predictions/router.js";
import { projectsRouter } from "./modules/projects/router.js";
import { qualityRouter } from "./modules/quality/router.js";
import { reviewRouter } from "./modules/review/router.js";
import { reviewAuditsRouter } from "./modules/review-audits/router.js";
import { reviewIssuesRouter } from "./modules/review-issues/router.js";
import { createTileQueue, type TileQueue } from "./modules/tiles/queue.js";
import { tilesRouter } from "./modules/tiles/router.js";
import { testControlRouter } from "./modules/tiles/test-control.js";
import { versionsRouter } from "./modules/versions/router.js";
import { openApiDocument } from "./openapi.js";
import type { Storage } from "./storage/storage.js";

export const VERSION = "0.1.0";
const DEFAULT_WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/dist");

export interface AppOptions {
  /** The SQLite handle (SQLite only; db/connect.ts openDb gives it as `sqlite`). */
  db?: Db;
  /** Kysely over the database (db/connect.ts openDb); defaults to one over `db`, which is then required. */
  connection?: Pick<DbConnection, "kysely" | "dialect"> & { pool?: pg.Pool };
  storage: Storage;
  config: Config;
  log?: Logger;
  now?: () => string;
  /** Built web app to serve; defaults to apps/web/dist when it exists. */
  webDist?: string | null;
  /** Pauses between the steps of the stored-file reference rule (tests replaying interleavings). */
  storedFilesHooks?: StoredFilesHooks;
  /**
   * The one-time code setup from another machine must bring; main.ts prints it. Defaults to a
   * random code nobody knows, so such an app can be set up only from its own machine.
   */
  setupCode?: string;
}

/**
 * helmet's headers on every answer (pages, API, image bytes): nosniff, a same-origin Referer,
 * no framing (the login page cannot be overlaid), and a Content-Security-Policy that admits only
 * this origin's scripts and style sheets (React and Konva set element styles through the DOM, which
 * style-src does not govern). Images may also be blob: and data: URLs (decoded pictures,
 * thumbnails). No upgrade-insecure-requests: a plain-HTTP install on a LAN address would lose
 * every request.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      "default-src": ["'self'"],
      "connect-src": ["'self'"],
      "img-src": ["'self'", "data:", "blob:"],
      "font-src": ["'self'", "data:"],
      "style-src": ["'self'"],
      "frame-ancestors": ["'none'"],
      "upgrade-insecure-requests": null,
    },
  },
  xFrameOptions: { action: "deny" },
  referrerPolicy: { policy: "same-origin" },
  // Only meaningful over HTTPS; not for sibling subdomains this install knows nothing about.
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
});

/** The app plus its background workers, which main.ts and tests stop before closing the database. */
export type LabelbenchApp = Express & {
  readonly tiles: TileQueue;
  readonly files: StoredFiles;
  readonly backends: BackendWorker;
};

/** Builds the HTTP app around injected dependencies; it opens no files and listens on nothing. */
export const createApp = (opts: AppOptions): LabelbenchApp => {
  const log = opts.log ?? pino({ level: opts.config.logLevel });
  // No import runs yet: one a stopped process was publishing is finished (before the stored-file
  // sweep, which would take its files, not yet referenced by image rows, for leftovers), and what
  // imports left in the temp folder (uploads, staging files never committed) is removed.
  if (!opts.connection && !opts.db)
    throw new Error("createApp needs a database: `connection` or an SQLite `db`");
  const sql = opts.connection?.kysely ?? sqliteKysely(opts.db as Db);
  const dialect = opts.connection?.dialect ?? "sqlite";
  const pgPool = opts.connection?.pool;
  const tiles = createTileQueue({ sql, dialect, storage: opts.storage, config: opts.config, log });
  const resumed = resumeImports({ db: opts.db, sql, dialect, pgPool, config: opts.config, log }).catch(
    (err: unknown) => log.error({ err }, "could not resume the interrupted imports"),
  );
  removeImportTemps(opts.storage.tempDir);
  // Sweeps crash leftovers (claims and deletions of dead instances, unreferenced files) at start.
  // Its first sweep waits for the resumed imports, whose stored files no image row references yet.
  const files = createStoredFiles(
    { sql, storage: opts.storage, log, tiles, sweepAfter: resumed },
    opts.storedFilesHooks,
  );
  const now = opts.now ?? (() => new Date().toISOString());
  const backends = createBackendWorker({
    sql,
    dialect,
    ...(pgPool ? { pgPool } : {}),
    config: opts.config,
    log,
    now,
  });
  const deps: Deps = {
    db: opts.db,
    sql,
    dialect,
    ...(pgPool ? { pgPool } : {}),
    storage: opts.storage,
    config: opts.config,
    log,
    now,
    tiles,
    files,
    backends,
  };
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", opts.config.trustProxy);
  app.use(securityHeaders);
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
  api.use(authRouter(deps, { setupCode: opts.setupCode ?? newSetupCode() }));
  api.use(projectsRouter(deps));
  api.use(labelsRouter(deps));
  api.use(libraryRouter(deps));
  api.use(imagesRouter(deps));
  api.use(tilesRouter(deps));
  api.use(annotationsRouter(deps));
  api.use(exportsRouter(deps));
  api.use(importsRouter(deps));
  api.use(reviewIssuesRouter(deps));
  api.use(reviewRouter(deps));
  api.use(reviewAuditsRouter(deps));
  api.use(copiesRouter(deps));
  api.use(goldRouter(deps));
  api.use(qualityRouter(deps));
  api.use(predictionsRouter(deps));
  api.use(modelEvalRouter(deps));
  api.use(modelBackendsRouter(deps));
  api.use(versionsRouter(deps));
  api.use(keymapRouter(deps));
  if (opts.config.testControls) api.use(testControlRouter(tiles));
  api.use((req, res) => {
    res.status(404).json(envelope("NOT_FOUND", `no API route for ${req.method} ${req.originalUrl}`));
  });
  app.use(API_BASE, api);

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
  backends.start();
  return Object.assign(app, { tiles, files, backends });
};
