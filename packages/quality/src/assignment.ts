import { munkres } from "munkres";

/** A possible pairing of row `r` with column `c`, worth `weight` (> 0). */
export interface WeightedEdge {
  readonly r: number;
  readonly c: number;
  readonly weight: number;
}

/**
 * The set of edges, no two sharing a row or a column, with the greatest total weight. Edges are
 * split into connected components (union-find) and each component is solved on its own with the
 * Hungarian algorithm (`munkres`, rectangular matrices), so a dense image of well-separated objects
 * costs many tiny assignments instead of one n x m matrix. Absent pairs weigh 0, which a maximum
 * never needs, so they are dropped from the answer.
 */
export const maxWeightMatching = (edges: readonly WeightedEdge[]): WeightedEdge[] => {
  if (edges.length === 0) return [];
  // Rows and columns become nodes of one union-find in typed arrays: row r as r, column c as
  // rows + c (a dense image has tens of thousands of each; a Map per node cost more than Hungarian).
  let rows = 0;
  let cols = 0;
  for (const e of edges) {
    if (e.r >= rows) rows = e.r + 1;
    if (e.c >= cols) cols = e.c + 1;
  }
  const parent = new Int32Array(rows + cols);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root] as number;
    for (let y = x; y !== root; ) {
      const next = parent[y] as number;
      parent[y] = root;
      y = next;
    }
    return root;
  };
  for (const e of edges) {
    const ra = find(e.r);
    const rb = find(rows + e.c);
    if (ra !== rb) parent[ra] = rb;
  }
  const components = new Map<number, WeightedEdge[]>();
  for (const e of edges) {
    const root = find(e.r);
    const list = components.get(root);
    if (list) list.push(e);
    else components.set(root, [e]);
  }
  const chosen: WeightedEdge[] = [];
  for (const component of components.values()) {
    if (component.length === 1) {
      chosen.push(component[0]!);
      continue;
    }
    chosen.push(...solveComponent(component));
  }
  return chosen;
};

const solveComponent = (edges: readonly WeightedEdge[]): WeightedEdge[] => {
  const rows = [...new Set(edges.map((e) => e.r))];
  const cols = [...new Set(edges.map((e) => e.c))];
  const rowAt = new Map(rows.map((r, i) => [r, i]));
  const colAt = new Map(cols.map((c, i) => [c, i]));
  const cost = rows.map(() => new Array<number>(cols.length).fill(0));
  const edgeAt = new Map<number, WeightedEdge>();
  for (const e of edges) {
    const i = rowAt.get(e.r)!;
    const j = colAt.get(e.c)!;
    // Two edges for one pair cannot happen from the matcher; keep the heavier if a caller sends both.
    if (-e.weight < cost[i]![j]!) {
      cost[i]![j] = -e.weight;
      edgeAt.set(i * cols.length + j, e);
    }
  }
  const out: WeightedEdge[] = [];
  for (const [i, j] of munkres(cost)) {
    const e = edgeAt.get(i * cols.length + j);
    if (e) out.push(e);
  }
  return out;
};
