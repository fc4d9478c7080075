import type { Me } from "@labelbench/schema";
import { create } from "zustand";
import { ApiError, call, onAuthFailure } from "../api/client";
import { toastError } from "../ui/toast-store";
import { type Session, sessionAfterFailure } from "./guard";
import { loadSession } from "./load-session";

interface SessionStore {
  session: Session;
  /** Asks the server once; later callers share the answer (StrictMode mounts everything twice). */
  ensureLoaded(): void;
  /** Asks again, e.g. after the server was unreachable. */
  reload(): Promise<void>;
  /** After login or setup: the reply says who signed in. */
  signedIn(me: Me): void;
  /** After an admin edited their own account: the header shows the new name and role. */
  refreshMe(): Promise<void>;
  signOut(): Promise<void>;
}

let inflight: Promise<void> | null = null;

export const useSession = create<SessionStore>((set, get) => ({
  session: { status: "loading" },
  ensureLoaded() {
    if (get().session.status === "loading" && !inflight) void get().reload();
  },
  reload() {
    if (inflight) return inflight;
    set({ session: { status: "loading" } });
    inflight = loadSession({ setupStatus: () => call("setupStatus"), me: () => call("me") })
      .then((session) => set({ session }))
      .finally(() => {
        inflight = null;
      });
    return inflight;
  },
  signedIn(me) {
    set({ session: { status: "signedIn", me } });
  },
  async refreshMe() {
    try {
      get().signedIn(await call("me"));
    } catch (err) {
      // A 401 has already ended the session through the client's listener; other failures leave
      // the session as it was (the next call will tell).
      if (!(err instanceof ApiError)) throw err;
    }
  },
  async signOut() {
    try {
      await call("logout");
    } catch (err) {
      // Already signed out is fine; a server that cannot be reached still holds the session.
      if (!(err instanceof ApiError && err.status === 401)) {
        toastError("Could not sign out", err);
        return;
      }
    }
    // A full page load, not a route change: nothing of this user's data may stay in memory for
    // whoever signs in next on this browser.
    window.location.assign("/login");
  },
}));

onAuthFailure((err, endpoint) => {
  const { session } = useSession.getState();
  const next = sessionAfterFailure(session, err, endpoint);
  if (next !== session) useSession.setState({ session: next });
});

/** The signed-in user; only for components under the route guard, which guarantees one. */
export const useMe = (): Me => {
  const session = useSession((s) => s.session);
  if (session.status !== "signedIn") throw new Error("useMe used outside the signed-in part of the app");
  return session.me;
};

/** The signed-in user, or null on public pages. */
export const useMaybeMe = (): Me | null => {
  const session = useSession((s) => s.session);
  return session.status === "signedIn" ? session.me : null;
};
