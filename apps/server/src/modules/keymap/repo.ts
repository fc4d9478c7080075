import type { Executor } from "../../db/executor.js";

export interface KeymapRow {
  /** The JSON text as written: validated on the way in, parsed again on the way out. */
  bindings: string;
  updatedAt: string;
}

export const keymapRepo = {
  of: async (ex: Executor, userId: number): Promise<KeymapRow | null> => {
    const r = await ex
      .selectFrom("user_keymaps")
      .select(["bindings", "updated_at"])
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return r ? { bindings: r.bindings, updatedAt: r.updated_at } : null;
  },
  save: async (ex: Executor, userId: number, bindings: string, at: string): Promise<void> => {
    await ex
      .insertInto("user_keymaps")
      .values({ user_id: userId, bindings, updated_at: at })
      .onConflict((oc) => oc.column("user_id").doUpdateSet({ bindings, updated_at: at }))
      .execute();
  },
  clear: async (ex: Executor, userId: number): Promise<void> => {
    await ex.deleteFrom("user_keymaps").where("user_id", "=", userId).execute();
  },
};
