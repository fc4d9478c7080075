// Bundles apps/server and the workspace packages it imports into apps/server/dist/main.js (and the
// export, import and checkpoint workers beside it), leaving
// npm dependencies external (native addons such as better-sqlite3 and sharp cannot be bundled).
// Running plain JS instead of transpiling TypeScript at start saves ~40 MB of resident memory
// and a second of start-up, which matters for the export memory budget.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const server = path.join(root, "apps/server");
const external = new Set();
for (const pkg of [
  "apps/server",
  "packages/schema",
  "packages/geometry",
  "packages/formats",
  "packages/quality",
]) {
  const json = JSON.parse(fs.readFileSync(path.join(root, pkg, "package.json"), "utf8"));
  for (const dep of Object.keys(json.dependencies ?? {}))
    if (!dep.startsWith("@labelbench/")) external.add(dep);
}

// LABELBENCH_SERVER_DIST lets parallel work (bench runs, e2e on other ports) build without
// replacing the bundle another running server was started from.
const outdir = process.env.LABELBENCH_SERVER_DIST
  ? path.resolve(process.env.LABELBENCH_SERVER_DIST)
  : path.join(server, "dist");
fs.rmSync(outdir, { recursive: true, force: true });
await build({
  // Each worker is an entry beside main.js: workers/worker-entry.ts starts it from there.
  entryPoints: {
    main: path.join(server, "src/main.ts"),
    "export-worker": path.join(server, "src/modules/exports/export-worker.ts"),
    "checkpoint-worker": path.join(server, "src/modules/imports/checkpoint-worker.ts"),
    // BMP decoding (JavaScript) runs off the main thread: images/bmp-thread.ts starts it.
    "bmp-worker": path.join(server, "src/modules/images/bmp-worker.ts"),
    "import-worker": path.join(server, "src/modules/imports/import-worker.ts"),
    // The verified move (`node apps/server/dist/move.js --from … --to …`), beside main.js so it finds the migrations.
    move: path.join(server, "src/move/main.ts"),
  },
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: [...external],
  logLevel: "warning",
});
// A bundle outside the repo (e.g. /tmp/x-server) could not resolve its external packages: node
// looks for node_modules from the bundle's own folder upwards, so link the repo's in.
if (path.relative(root, outdir).startsWith("..")) {
  fs.symlinkSync(path.join(root, "node_modules"), path.join(outdir, "node_modules"), "dir");
}
// Migrations are read from disk next to the code that applies them (migrations/sqlite, migrations/postgres).
fs.cpSync(path.join(server, "src/db/migrations"), path.join(outdir, "migrations"), { recursive: true });
console.log(`built ${path.relative(root, outdir) || outdir}/main.js`);
