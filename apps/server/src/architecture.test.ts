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

describe("server layout", () => {
  it("has no import cycle between its modules", () => {
    const graph = new Map(sourceFiles().map((f) => [f, importsOf(f)]));
    expect(cyclesOf(graph)).toEqual([]);
  });
});
