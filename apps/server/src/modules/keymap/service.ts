import { type Keymap, KeymapBindings } from "@labelbench/schema";
import type { Deps } from "../../deps.js";
import { keymapRepo as repo } from "./repo.js";

/**
 * A user's own keys. Only what differs from the defaults is stored; the defaults live with the
 * commands (the editor and the web), so a new default reaches everyone who did not change that command.
 */
export const keymapService = (deps: Pick<Deps, "sql" | "now">) => ({
  async get(userId: number): Promise<Keymap> {
    const row = await repo.of(deps.sql, userId);
    if (!row) return { bindings: {}, updatedAt: null };
    const stored = JSON.parse(row.bindings) as Record<string, unknown>;
    const parsed = KeymapBindings.safeParse(stored);
    if (parsed.success) return { bindings: parsed.data, updatedAt: row.updatedAt };
    // A command retired since the user saved is dropped rather than failing their sign-in.
    const kept = Object.fromEntries(
      Object.entries(stored).filter(([id, keys]) => KeymapBindings.safeParse({ [id]: keys }).success),
    );
    return { bindings: KeymapBindings.catch({}).parse(kept), updatedAt: row.updatedAt };
  },

  async put(userId: number, bindings: KeymapBindings): Promise<Keymap> {
    if (Object.keys(bindings).length === 0) {
      // Back to the defaults: no row, as for a user who never changed a key.
      await repo.clear(deps.sql, userId);
      return { bindings: {}, updatedAt: null };
    }
    const at = deps.now();
    await repo.save(deps.sql, userId, JSON.stringify(bindings), at);
    return { bindings, updatedAt: at };
  },
});
