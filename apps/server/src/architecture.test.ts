import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** The server's own layout rules, read from its source files (tests excluded). */
const ROOT = path.dirname(fileURLToPath(import.meta.url));

const sourceFiles = (): string[] => {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (
        p.endsWith(".ts") &&
        !p.endsWith(".test.ts") &&
        !p.includes(`${path.sep}test-support${path.sep}`)
      )
        out.push(p);
    }
  };
  walk(ROOT);
  return out;
};

/** Relative imports of a file, type-only ones included: a cycle of types is still a cycle to read. */
const importsOf = (file: string): string[] =>
  [...fs.readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) =>
    path.resolve(path.dirname(file), (m[1] ?? "").replace(/\.js$/, ".ts")),
  );

const cyclesOf = (graph: Map<string, string[]>): string[] => {
  const cycles: string[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (n: string) => {
    const at = stack.indexOf(n);
    if (at >= 0) {
      cycles.push([...stack.slice(at), n].map((f) => path.relative(ROOT, f)).join(" -> "));
      return;
    }
    if (done.has(n)) return;
    stack.push(n);
    for (const m of graph.get(n) ?? []) visit(m);
    stack.pop();
    done.add(n);
  };
  for (const n of graph.keys()) visit(n);
  return cycles;
};

/**
 * Where SQL may be written: repositories, the database layer itself (connections, migrations, schema
 * introspection for the drift test), and a worker's own connection setup.
 */
const mayHoldSql = (file: string) => {
  const rel = path.relative(ROOT, file).split(path.sep).join("/");
  return rel.endsWith("repo.ts") || rel.startsWith("db/") || rel.endsWith("-worker.ts");
};
const SQL_CALL = /\.(?:prepare|pragma)\s*[<(]|\.exec\(\s*[`"']/;

describe("server layout", () => {
  it("writes SQL only in repositories (files named *repo.ts)", () => {
    const outside = sourceFiles()
      .filter((f) => !mayHoldSql(f))
      .flatMap((f) =>
        fs
          .readFileSync(f, "utf8")
          .split("\n")
          .flatMap((line, i) =>
            SQL_CALL.test(line) ? [`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`] : [],
          ),
      );
    expect(outside).toEqual([]);
  });

  it("changes an image's revision in one place", () => {
    const writers = sourceFiles().filter((f) =>
      /revision\s*=\s*revision\s*\+\s*1|revision:\s*(?:sql<number>`revision|eb\("revision")/.test(
        fs.readFileSync(f, "utf8"),
      ),
    );
    expect(writers.map((f) => path.relative(ROOT, f))).toEqual([
      // A private copy's own revision (issue 16): image_copies.revision, never the image's.
      path.join("modules", "copies", "copy-repo.ts"),
      path.join("modules", "images", "image-changes-repo.ts"),
    ]);
  });

  it("has no import cycle between its modules", () => {
    const graph = new Map(sourceFiles().map((f) => [f, importsOf(f)]));
    expect(cyclesOf(graph)).toEqual([]);
  });
});
