import type { Compilable, CompiledQuery } from "kysely";
import type { Executor } from "./executor.js";

/**
 * A query built and compiled once, then run with new string values: building and compiling a
 * Kysely query costs several times what SQLite takes to run a point lookup, so the lookups every
 * request makes (auth/repo.ts) compile theirs once per executor. `build` gets a placeholder for
 * each name and must use it only as a bound value (the builder's `=`, `>`, … comparisons), never
 * inside raw SQL text.
 */
export const queryTemplate = <K extends string, R>(
  db: Executor,
  names: readonly K[],
  build: (values: Record<K, string>) => Compilable<R>,
): ((values: Record<K, string>) => Promise<R[]>) => {
  const placeholder = (name: K) => `\u0000${name}\u0000`;
  let compiled: { query: CompiledQuery<R>; slots: (K | null)[] } | undefined;
  return async (values) => {
    if (!compiled) {
      const query = build(
        Object.fromEntries(names.map((n) => [n, placeholder(n)])) as Record<K, string>,
      ).compile();
      const slots = query.parameters.map((p) => names.find((n) => p === placeholder(n)) ?? null);
      const unused = names.filter((n) => !slots.includes(n));
      if (unused.length > 0) throw new Error(`query template does not bind ${unused.join(", ")}`);
      compiled = { query, slots };
    }
    const { query, slots } = compiled;
    const parameters = query.parameters.map((p, i) => {
      const slot = slots[i];
      return slot === null || slot === undefined ? p : values[slot];
    });
    return (await db.executeQuery<R>({ ...query, parameters })).rows;
  };
};
