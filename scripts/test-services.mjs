#!/usr/bin/env node
// Throw-away PostgreSQL and S3 servers for the test suites, on loopback ports, in temp folders.
//
//   node scripts/test-services.mjs start   starts both, writes .test-services/env
//   node scripts/test-services.mjs stop    stops both, removes their temp folders and the env file
//
// PostgreSQL comes from the distribution's binaries (Debian: /usr/lib/postgresql/<version>/bin, or
// LABELBENCH_PG_BIN): a fresh cluster made by initdb as an unprivileged user (the `postgres` system
// user when this runs as root), started by pg_ctl with listen_addresses=127.0.0.1, with a password
// user `labelbench` (CREATEDB) and a database `labelbench_test`. S3 is s3rver (a root devDependency)
// over a temp folder, with one bucket. Ports: LABELBENCH_TEST_PG_PORT (55432) and
// LABELBENCH_TEST_S3_PORT (45690). The env file holds LABELBENCH_TEST_DATABASE_URL,
// LABELBENCH_TEST_STORAGE_URL and the AWS_* variables; vitest reads it when they are not set
// (apps/server/src/test-support/services-env.ts), a shell with `set -a; . .test-services/env; set +a`.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STATE_DIR = path.join(ROOT, ".test-services");
const STATE_FILE = path.join(STATE_DIR, "state.json");
const ENV_FILE = path.join(STATE_DIR, "env");
const BUCKET = "labelbench-test";
// s3rver knows one account; it checks that the access key exists, not the SigV4 signature.
const S3_KEY = { id: "S3RVER", secret: "S3RVER" };
const PG_USER = "labelbench";
const PG_DB = "labelbench_test";

const log = (msg) => process.stderr.write(`[test-services] ${msg}\n`);
const fail = (msg) => {
  log(`error: ${msg}`);
  process.exit(1);
};

const port = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`${name} must be a port number, got "${v}"`);
  return n;
};

const portFree = (p) =>
  new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(p, "127.0.0.1", () => srv.close(() => resolve(true)));
  });

const readState = () => {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, "utf8"));
  } catch {
    return null;
  }
};
const writeState = (state) => {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
};

// ---------------------------------------------------------------------------------------- PostgreSQL

/** initdb and pg_ctl: LABELBENCH_PG_BIN, else Debian's newest /usr/lib/postgresql/<v>/bin, else PATH. */
const findPgBin = () => {
  if (process.env.LABELBENCH_PG_BIN) return process.env.LABELBENCH_PG_BIN;
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(base, versions[0], "bin");
  try {
    return path.dirname(execFileSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).trim());
  } catch {
    return fail(
      "no PostgreSQL binaries found (looked in /usr/lib/postgresql/*/bin and PATH): install them (Debian: apt-get install postgresql) or set LABELBENCH_PG_BIN",
    );
  }
};

const isRoot = process.getuid?.() === 0;

/** initdb refuses to run as root: as root, PostgreSQL's commands run as the `postgres` system user. */
const asPgUser = (file, args, opts = {}) => {
  const [cmd, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", file, ...args]] : [file, args];
  try {
    return execFileSync(cmd, argv, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      cwd: os.tmpdir(),
      ...opts,
    });
  } catch (err) {
    const out = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim();
    throw new Error(`${path.basename(file)} ${args.join(" ")} failed: ${out || err.message}`);
  }
};

const pgUid = () => {
  if (!isRoot) return null;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return fail(
      "running as root, but there is no `postgres` system user to run initdb as (Debian's postgresql package creates it)",
    );
  }
};

const startPostgres = (pgPort) => {
  const bin = findPgBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-pg-"));
  const owner = pgUid();
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, "data");
  const password = randomBytes(12).toString("hex");
  const state = { bin, dir, data };
  try {
    // Local socket with trust, in a folder only the cluster's user can enter; TCP needs the password.
    asPgUser(path.join(bin, "initdb"), [
      "-D",
      data,
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--locale=C",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "--no-sync",
    ]);
    asPgUser(path.join(bin, "pg_ctl"), [
      "-D",
      data,
      "-l",
      path.join(dir, "postgres.log"),
      "-w",
      "-t",
      "60",
      "-o",
      // A throw-away cluster: durability off, for test speed. Memory and WAL as docs/deploy.md
      // advises for a server (the bench measures on this cluster): shared_buffers 1 GB instead of
      // 128 MB, which a million-annotation import outgrows, and room for its WAL between checkpoints.
      `-p ${pgPort} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB -c max_wal_size=4GB`,
      "start",
    ]);
    const psql = (sql) =>
      asPgUser(path.join(bin, "psql"), [
        "-h",
        dir,
        "-p",
        String(pgPort),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-v",
        "ON_ERROR_STOP=1",
        "-qc",
        sql,
      ]);
    psql(`CREATE ROLE ${PG_USER} LOGIN CREATEDB PASSWORD '${password}'`);
    // Tests drop their scratch databases WITH (FORCE), which must end every session on them, an
    // autovacuum worker's included: without this role that fails now and then with "must be a
    // member of the role whose process is being terminated".
    psql(`GRANT pg_signal_backend TO ${PG_USER}`);
    psql(`CREATE DATABASE ${PG_DB} OWNER ${PG_USER}`);
  } catch (err) {
    stopPostgres(state);
    throw err;
  }
  const version = asPgUser(path.join(bin, "postgres"), ["--version"]).trim();
  log(`PostgreSQL started (${version}) on 127.0.0.1:${pgPort}, cluster in ${data}`);
  return { ...state, url: `postgres://${PG_USER}:${password}@127.0.0.1:${pgPort}/${PG_DB}` };
};

const stopPostgres = (pg) => {
  if (!pg) return;
  if (fs.existsSync(path.join(pg.data, "postmaster.pid"))) {
    try {
      asPgUser(path.join(pg.bin, "pg_ctl"), ["-D", pg.data, "-m", "fast", "-w", "stop"]);
      log("PostgreSQL stopped");
    } catch (err) {
      log(`could not stop PostgreSQL: ${err.message}`);
    }
  }
  fs.rmSync(pg.dir, { recursive: true, force: true });
};

// ---------------------------------------------------------------------------------------------- S3

const waitForBucket = async (s3Port, pid) => {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${s3Port}/${BUCKET}`, { method: "HEAD" });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    try {
      process.kill(pid, 0);
    } catch {
      throw new Error("s3rver exited during start");
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`s3rver did not answer on 127.0.0.1:${s3Port} within 20 s`);
};

const startS3 = async (s3Port) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-s3-"));
  const logFile = path.join(dir, "s3rver.log");
  const out = fs.openSync(logFile, "a");
  // Its own process (this one exits after start), in its own group so stop can end it alone.
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), "s3-serve", path.join(dir, "buckets"), String(s3Port), BUCKET],
    { detached: true, stdio: ["ignore", out, out] },
  );
  child.unref();
  fs.closeSync(out);
  const state = { dir, pid: child.pid, port: s3Port };
  try {
    await waitForBucket(s3Port, child.pid);
  } catch (err) {
    const output = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "(none)";
    await stopS3(state);
    throw new Error(`${err.message}; its log: ${output}`);
  }
  log(`s3rver started on 127.0.0.1:${s3Port} (bucket ${BUCKET}), objects in ${dir}`);
  return state;
};

/** Is `pid` still our s3rver child (not a process that got its number after a reboot)? */
const isOurS3 = (pid) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("s3-serve");
  } catch {
    try {
      process.kill(pid, 0); // no /proc (macOS): trust the state file
      return true;
    } catch {
      return false;
    }
  }
};

const stopS3 = async (s3) => {
  if (!s3) return;
  if (isOurS3(s3.pid)) {
    process.kill(s3.pid, "SIGTERM");
    // Wait for the port to be free again, so a start right after a stop finds it unused.
    for (let i = 0; i < 100 && isOurS3(s3.pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (isOurS3(s3.pid)) process.kill(s3.pid, "SIGKILL");
    log("s3rver stopped");
  }
  fs.rmSync(s3.dir, { recursive: true, force: true });
};

/** The child `start` spawns: s3rver in the foreground until SIGTERM. */
const serveS3 = async (directory, s3Port, bucket) => {
  const { default: S3rver } = await import("s3rver");
  const server = new S3rver({
    directory,
    port: Number(s3Port),
    address: "127.0.0.1",
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  await server.run();
  process.stdout.write(`s3rver listening on 127.0.0.1:${s3Port}\n`);
  process.on("SIGTERM", () => server.close().finally(() => process.exit(0)));
};

// ------------------------------------------------------------------------------------------ commands

const stop = async () => {
  const state = readState();
  if (!state) {
    log("nothing to stop");
    return;
  }
  await stopS3(state.s3);
  stopPostgres(state.pg);
  fs.rmSync(STATE_FILE, { force: true });
  fs.rmSync(ENV_FILE, { force: true });
};

const start = async () => {
  if (readState()) {
    log("stopping the services of the previous start first");
    await stop();
  }
  const pgPort = port("LABELBENCH_TEST_PG_PORT", 55432);
  const s3Port = port("LABELBENCH_TEST_S3_PORT", 45690);
  for (const [name, p] of [
    ["LABELBENCH_TEST_PG_PORT", pgPort],
    ["LABELBENCH_TEST_S3_PORT", s3Port],
  ]) {
    if (!(await portFree(p)))
      fail(`port ${p} on 127.0.0.1 is in use: stop what listens there, or set ${name} to a free port`);
  }
  const state = {};
  try {
    state.pg = startPostgres(pgPort);
    writeState(state);
    state.s3 = await startS3(s3Port);
    writeState(state);
  } catch (err) {
    await stopS3(state.s3);
    stopPostgres(state.pg);
    fs.rmSync(STATE_FILE, { force: true });
    fail(err.message);
  }
  const env = {
    LABELBENCH_TEST_DATABASE_URL: state.pg.url,
    LABELBENCH_TEST_STORAGE_URL: `s3://${BUCKET}?endpoint=http://127.0.0.1:${s3Port}`,
    AWS_ACCESS_KEY_ID: S3_KEY.id,
    AWS_SECRET_ACCESS_KEY: S3_KEY.secret,
    AWS_REGION: "us-east-1",
  };
  fs.writeFileSync(
    ENV_FILE,
    `${Object.entries(env)
      .map(([k, v]) => `${k}='${v}'`)
      .join("\n")}\n`,
  );
  log(`wrote ${path.relative(process.cwd(), ENV_FILE) || ENV_FILE}`);
  process.stdout.write(
    `${Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
  );
};

const [command, ...args] = process.argv.slice(2);
if (command === "start") await start();
else if (command === "stop") await stop();
else if (command === "s3-serve") await serveS3(args[0], args[1], args[2]);
else fail("usage: node scripts/test-services.mjs start|stop");
