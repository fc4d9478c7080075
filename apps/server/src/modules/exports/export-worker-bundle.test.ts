import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../../../../..");

/** The npm packages an entry's bundle imports, bundled as scripts/build-server.mjs bundles it. */
const packagesImportedBy = async (entry: string): Promise<string[]> => {
  const external = new Set<string>();
  for (const pkg of ["apps/server", "packages/schema", "packages/geometry", "packages/formats"]) {
    const json = JSON.parse(fs.readFileSync(path.join(REPO, pkg, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(json.dependencies ?? {}))
      if (!dep.startsWith("@labelbench/")) external.add(dep);
  }
  const result = await build({
    entryPoints: [path.join(HERE, entry)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: [...external],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  return [
    ...new Set(imports.filter((i) => i.external && !i.path.startsWith("node:")).map((i) => i.path)),
  ].sort();
};

describe("the export's worker bundles", () => {
  // Every worker is a V8 isolate of its own that parses and runs what its bundle imports: the zod
  // schemas of the whole API, the YAML and XML parsers of the importers and the geometry checks
  // held ~7 MB of the export worker's heap, which the export's memory budget (bench: server peak
  // RSS ≤ 256 MB) counts. The workspace packages declare `"sideEffects": false`, so a bundle keeps
  // only the modules it uses.
  it("load only the packages an export uses", async () => {
    expect(await packagesImportedBy("export-worker.ts")).toEqual(["better-sqlite3"]);
  }, 60_000);
});
