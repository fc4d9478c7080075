import path from "node:path";
import pino from "pino";
import { createApp } from "./app.js";
import { loadConfig } from "./config.js";
import { databaseFromEnv } from "./db/connect.js";
import { startDb } from "./db/migrate.js";
import { authRepo } from "./modules/auth/repo.js";
import { ensureAdminFromEnv } from "./modules/auth/service.js";
import { newSetupCode } from "./modules/auth/setup-code.js";
import { openStorage } from "./storage/open-storage.js";

/** The only place that opens files and listens. */
const config = loadConfig();
const log = pino({ level: config.logLevel });
/** A start that cannot work stops here, before anything listens or runs in the background. */
const refuseToStart = async (message: string, close?: () => Promise<void>): Promise<never> => {
  log.fatal(`Labelbench cannot start: ${message}`);
  await close?.().catch(() => {});
  process.exit(1);
};
const database = await (async () => {
  try {
    const { target, poolSize } = databaseFromEnv(process.env, path.join(config.dataDir, "labelbench.sqlite"));
    return await startDb(target, { poolSize });
  } catch (err) {
    return refuseToStart((err as Error).message);
  }
})();
const { conn } = database;
if (database.applied.length > 0)
  log.info({ applied: database.applied, database: conn.label }, "applied migrations");
// A bucket that is missing, refuses the key or cannot be reached stops the start here, before listening.
const storage = await openStorage(config).catch((err: unknown) =>
  refuseToStart(
    `could not open the storage: ${err instanceof Error ? err.message : String(err)}`,
    conn.close,
  ),
);
const setupCode = newSetupCode();
const app = createApp({
  ...(conn.dialect === "sqlite" ? { db: conn.sqlite } : {}),
  connection: conn,
  storage,
  config,
  log,
  setupCode,
  ...(process.env.LABELBENCH_WEB_DIST ? { webDist: process.env.LABELBENCH_WEB_DIST } : {}),
});

// Headless installs: the first admin comes from the environment instead of the setup page.
const admin = await ensureAdminFromEnv(
  { sql: conn.kysely, now: () => new Date().toISOString() },
  process.env,
);
if (admin) log.info({ email: admin.email }, "created the admin account from LABELBENCH_ADMIN_EMAIL");
const setupPending = !(await authRepo(conn.kysely).adminExists());

const server = app.listen(config.port, () => {
  log.info(
    { port: config.port, dataDir: config.dataDir },
    `Labelbench listening on http://localhost:${config.port}`,
  );
  // Until an admin exists, whoever reaches the setup page first would become admin: from any other
  // machine it asks for this code, which only someone who can read this log knows (like Jupyter's token).
  if (setupPending) {
    log.warn(
      { setupCode },
      `No admin yet: open http://localhost:${config.port}/setup on this machine, or from another machine http://<this server>:${config.port}/setup?code=${setupCode} (setup code ${setupCode}, a new one at every start)`,
    );
  }
});
server.on("error", (err) => {
  log.fatal({ err }, "could not start the server");
  process.exit(1);
});

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  const force = setTimeout(() => {
    log.warn("forcing exit after 10 s");
    process.exit(1);
  }, 10_000);
  force.unref();
  // A running tile pass finishes its libvips step; its images stay 'pending' and resume next start.
  // A model-backend job stops at its next batch and gives its lease back (the rest resumes later).
  const tilesStopped = Promise.all([app.tiles.stop(), app.backends.stop()]);
  server.close(() => {
    void tilesStopped.finally(() => {
      void app.files
        .stop()
        .then(() => conn.close())
        .finally(() => {
          log.info("stopped");
          process.exit(0);
        });
    });
  });
  server.closeIdleConnections();
};
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
