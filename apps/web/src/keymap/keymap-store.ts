import type { KeymapBindings } from "@labelbench/schema";
import { create } from "zustand";
import { call } from "../api/client";
import { useSession } from "../auth/session-store";

interface KeymapStore {
  /** The user's changes to the default keys; {} until loaded and for a user who changed none. */
  bindings: KeymapBindings;
  status: "idle" | "loading" | "loaded" | "failed";
  /** Which user the bindings are of: a sign-in as someone else loads theirs. */
  userId: number | null;
  load(userId: number): Promise<void>;
  /** Saves on the server, then applies; a refusal leaves the keys as they were and is thrown. */
  save(bindings: KeymapBindings): Promise<void>;
}

export const useKeymap = create<KeymapStore>((set, get) => ({
  bindings: {},
  status: "idle",
  userId: null,
  async load(userId) {
    set({ status: "loading", userId });
    try {
      const { bindings } = await call("getKeymap");
      if (get().userId === userId) set({ bindings, status: "loaded" });
    } catch {
      // The defaults work; the keymap page says the user's keys could not be read.
      if (get().userId === userId) set({ status: "failed" });
    }
  },
  async save(bindings) {
    const saved = await call("putKeymap", { body: { bindings } });
    set({ bindings: saved.bindings, status: "loaded" });
  },
}));

let started = false;
/** Loads the user's keys at sign-in (and for whoever signs in next), so the editor opens with them. */
export const startKeymapSync = (): void => {
  if (started) return;
  started = true;
  const follow = (s: ReturnType<typeof useSession.getState>) => {
    const id = s.session.status === "signedIn" ? s.session.me.user.id : null;
    const k = useKeymap.getState();
    if (id === null) {
      if (k.userId !== null) useKeymap.setState({ bindings: {}, status: "idle", userId: null });
    } else if (k.userId !== id) void k.load(id);
  };
  follow(useSession.getState());
  useSession.subscribe(follow);
};
