import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

// The dependency ladder (docs/architecture.md) is enforced by biome.json's noRestrictedImports
// overrides. This test writes probe files that import across the ladder inside each package, lints
// them with the repository's own Biome and config, and checks which imports the rule flags: a
// broken or loosened override shows up here, not in a review.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIOME = join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "biome.cmd" : "biome");
const RULE = "lint/style/noRestrictedImports";

interface Case {
  /** Folder inside the repository where the importing file sits. */
  dir: string;
  specifier: string;
  forbidden: boolean;
}

const cases: Case[] = [
  // geometry imports no other workspace.
  { dir: "packages/geometry/src", specifier: "@labelbench/schema", forbidden: true },
  { dir: "packages/geometry/src", specifier: "@labelbench/editor/testing", forbidden: true },
  { dir: "packages/geometry/src", specifier: "robust-predicates", forbidden: false },
  // schema imports no workspace but geometry.
  { dir: "packages/schema/src", specifier: "@labelbench/formats", forbidden: true },
  { dir: "packages/schema/src", specifier: "@labelbench/editor", forbidden: true },
  { dir: "packages/schema/src", specifier: "@labelbench/geometry", forbidden: false },
  { dir: "packages/schema/src", specifier: "zod", forbidden: false },
  // editor never imports formats (and formats never imports editor).
  { dir: "packages/editor/src", specifier: "@labelbench/formats", forbidden: true },
  { dir: "packages/editor/src/tools", specifier: "@labelbench/formats", forbidden: true },
  { dir: "packages/editor/src", specifier: "@labelbench/geometry", forbidden: false },
  { dir: "packages/editor/src", specifier: "@labelbench/schema", forbidden: false },
  { dir: "packages/formats/src", specifier: "@labelbench/editor", forbidden: true },
  { dir: "packages/formats/src", specifier: "@labelbench/schema", forbidden: false },
  // quality (the matcher and metrics) stands beside formats and editor: geometry and schema only.
  { dir: "packages/quality/src", specifier: "@labelbench/geometry", forbidden: false },
  { dir: "packages/quality/src", specifier: "@labelbench/schema", forbidden: false },
  { dir: "packages/quality/src", specifier: "@labelbench/formats", forbidden: true },
  { dir: "packages/quality/src", specifier: "@labelbench/editor", forbidden: true },
  { dir: "packages/quality/src", specifier: "clipper2-ts", forbidden: false },
  { dir: "packages/quality/src/ladder-probe", specifier: "../../../geometry/src/index", forbidden: true },
  // No package imports an app, by name...
  ...["geometry", "schema", "formats", "editor", "quality"].flatMap((pkg) => [
    { dir: `packages/${pkg}/src`, specifier: "@labelbench/web", forbidden: true },
    { dir: `packages/${pkg}/src`, specifier: "@labelbench/server/src/app", forbidden: true },
  ]),
  // ...or by a relative path that leaves the package, from any depth; climbing inside it is fine.
  { dir: "packages/editor", specifier: "../../apps/web/src/main", forbidden: true },
  { dir: "packages/editor", specifier: "./src/index", forbidden: false },
  { dir: "packages/editor/src", specifier: "../../../apps/web/src/main", forbidden: true },
  { dir: "packages/editor/src", specifier: "../../formats/src/index", forbidden: true },
  { dir: "packages/editor/src", specifier: "../package.json", forbidden: false },
  { dir: "packages/schema/src/ladder-probe", specifier: "../../../../apps/server/src/app", forbidden: true },
  { dir: "packages/schema/src/ladder-probe", specifier: "../../../geometry/src/index", forbidden: true },
  { dir: "packages/schema/src/ladder-probe", specifier: "../contract", forbidden: false },
  {
    dir: "packages/geometry/src/ladder-probe/deep",
    specifier: "../../../../schema/src/index",
    forbidden: true,
  },
  { dir: "packages/geometry/src/ladder-probe/deep", specifier: "../../types", forbidden: false },
  {
    dir: "packages/formats/src/ladder-probe/deep/deeper",
    specifier: "../../../../../web/x",
    forbidden: true,
  },
  { dir: "packages/formats/src/ladder-probe/deep/deeper", specifier: "../../../index", forbidden: false },
];

interface Diagnostic {
  category: string;
  location: { path: string; start: { line: number } };
}

/** "path:line" of every import the rule flagged in the probes. */
let flagged = new Set<string>();
const probeName = `ladder-probe-${process.pid}.ts`;

function probeFiles(): Map<string, Case[]> {
  const byFile = new Map<string, Case[]>();
  for (const c of cases) {
    const file = `${c.dir}/${probeName}`;
    byFile.set(file, [...(byFile.get(file) ?? []), c]);
  }
  return byFile;
}

beforeAll(() => {
  const files = probeFiles();
  const createdDirs: string[] = [];
  try {
    for (const [file, fileCases] of files) {
      const dir = join(ROOT, dirname(file));
      if (!existsSync(dir)) {
        // Remember the outermost folder this test creates, to remove it whole afterwards.
        let top = dir;
        while (!existsSync(dirname(top))) top = dirname(top);
        createdDirs.push(top);
        mkdirSync(dir, { recursive: true });
      }
      const lines = fileCases.map((c, i) => `import * as probe${i} from "${c.specifier}";`);
      lines.push(`export const probes = [${fileCases.map((_, i) => `probe${i}`).join(", ")}];`);
      writeFileSync(join(ROOT, file), `${lines.join("\n")}\n`);
    }
    const run = spawnSync(BIOME, ["lint", "--reporter=json", ...files.keys()], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (run.error) throw run.error;
    if (!run.stdout.trim().startsWith("{"))
      throw new Error(`biome lint gave no JSON report (exit ${run.status}): ${run.stderr || run.stdout}`);
    const report = JSON.parse(run.stdout) as { diagnostics: Diagnostic[] };
    flagged = new Set(
      report.diagnostics
        .filter((d) => d.category === RULE)
        .map((d) => `${relative(ROOT, resolve(ROOT, d.location.path))}:${d.location.start.line}`),
    );
  } finally {
    for (const file of files.keys()) rmSync(join(ROOT, file), { force: true });
    for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

describe("the dependency ladder (biome.json noRestrictedImports)", () => {
  const byFile = probeFiles();
  for (const [file, fileCases] of byFile) {
    fileCases.forEach((c, i) => {
      it(`${c.forbidden ? "rejects" : "allows"} ${c.specifier} in ${c.dir}`, () => {
        expect(flagged.has(`${file}:${i + 1}`)).toBe(c.forbidden);
      });
    });
  }

  it("leaves no probe behind", () => {
    for (const file of byFile.keys()) expect(existsSync(join(ROOT, file))).toBe(false);
    expect(existsSync(join(ROOT, "packages/schema/src/ladder-probe"))).toBe(false);
  });
});
