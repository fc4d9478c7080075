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
  // Rows and columns become nodes of one union-find: rows as 2r, columns as 2c + 1.
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    for (let p = parent.get(root); p !== undefined && p !== root; p = parent.get(root)) root = p;
    for (let y = x; y !== root; ) {
      const next = parent.get(y) ?? root;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  for (const e of edges) {
    const a = 2 * e.r;
    const b = 2 * e.c + 1;
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const components = new Map<number, WeightedEdge[]>();
  for (const e of edges) {
    const root = find(2 * e.r);
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
