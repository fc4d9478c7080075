import path from "node:path";
import pino from "pino";
import { createApp } from "./app.js";
import { loadConfig } from "./config.js";
import { migrate, openDatabase } from "./db/database.js";
import { authRepo } from "./modules/auth/repo.js";
import { ensureAdminFromEnv } from "./modules/auth/service.js";
import { newSetupCode } from "./modules/auth/setup-code.js";
import { openStorage } from "./storage/open-storage.js";

/** The only place that opens files and listens. */
const config = loadConfig();
const log = pino({ level: config.logLevel });
const db = openDatabase(path.join(config.dataDir, "labelbench.sqlite"));
const applied = migrate(db);
if (applied.length > 0) log.info({ applied }, "applied migrations");
// A bucket that is missing, refuses the key or cannot be reached stops the start here, before listening.
const storage = await openStorage(config).catch((err: unknown) => {
  log.fatal(`could not open the storage: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
const setupCode = newSetupCode();
const app = createApp({
  db,
  storage,
  config,
  log,
  setupCode,
  ...(process.env.LABELBENCH_WEB_DIST ? { webDist: process.env.LABELBENCH_WEB_DIST } : {}),
});

// Headless installs: the first admin comes from the environment instead of the setup page.
const admin = await ensureAdminFromEnv(
  { db, storage, config, log, now: () => new Date().toISOString(), tiles: app.tiles, files: app.files },
  process.env,
);
if (admin) log.info({ email: admin.email }, "created the admin account from LABELBENCH_ADMIN_EMAIL");

const server = app.listen(config.port, () => {
  log.info(
    { port: config.port, dataDir: config.dataDir },
    `Labelbench listening on http://localhost:${config.port}`,
  );
  // Until an admin exists, whoever reaches the setup page first would become admin: from any other
  // machine it asks for this code, which only someone who can read this log knows (like Jupyter's token).
  if (!authRepo(db).adminExists()) {
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
  const tilesStopped = app.tiles.stop();
  server.close(() => {
    void tilesStopped.finally(() => {
      app.files.stop();
      db.close();
      log.info("stopped");
      process.exit(0);
    });
  });
  server.closeIdleConnections();
};
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
