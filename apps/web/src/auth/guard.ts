import type { EndpointName, Me } from "@labelbench/schema";

/** What the app knows about who is using it. */
export type Session =
  | { status: "loading" }
  /** The server could not be asked (down, or a network failure): say so, offer a retry. */
  | { status: "unreachable"; message: string }
  /**
   * No admin exists yet: only the setup page makes sense. `codeRequired`: this browser must enter
   * the setup code from the server log (it is not on the server's machine); null when not asked yet.
   */
  | { status: "setup"; codeRequired: boolean | null }
  /** `expired` when a signed-in session stopped working (a 401 from the API), so the login page can say why. */
  | { status: "anonymous"; reason: "none" | "expired" }
  | { status: "signedIn"; me: Me };

export type Decision =
  | { kind: "render" }
  | { kind: "wait" }
  | { kind: "unreachable"; message: string }
  | { kind: "redirect"; to: string };

export const LOGIN_PATH = "/login";
export const SETUP_PATH = "/setup";

/**
 * The `next` parameter comes from the address bar, so it is untrusted: only a path on this origin
 * is followed (never `//evil.example` or `https://...`), and never back to the login or setup page.
 */
export const safeNext = (raw: string | null | undefined): string => {
  if (!raw?.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  // Control characters (a newline in a path) can make browsers read the path as something else.
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return "/";
  }
  const pathname = raw.split(/[?#]/, 1)[0] ?? "/";
  if (pathname === LOGIN_PATH || pathname === SETUP_PATH) return "/";
  return raw;
};

/** `/login?next=<where the user was>`; the plain home page needs no `next`. */
export const loginUrl = (here: string): string => {
  const next = safeNext(here);
  return next === "/" ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
};

/** Pages behind sign-in: wait for the session, send newcomers to setup and strangers to login. */
export const guardDecision = (session: Session, here: string): Decision => {
  switch (session.status) {
    case "loading":
      return { kind: "wait" };
    case "unreachable":
      return { kind: "unreachable", message: session.message };
    case "setup":
      return { kind: "redirect", to: SETUP_PATH };
    case "anonymous":
      return { kind: "redirect", to: loginUrl(here) };
    case "signedIn":
      return { kind: "render" };
  }
};

/**
 * The login and setup pages: setup only while no admin exists, login only once one does, and
 * neither for someone already signed in (they go where they were heading).
 */
export const publicPageDecision = (
  session: Session,
  page: "login" | "setup",
  next: string | null,
): Decision => {
  switch (session.status) {
    case "loading":
      return { kind: "wait" };
    case "unreachable":
      return { kind: "unreachable", message: session.message };
    case "setup":
      return page === "setup" ? { kind: "render" } : { kind: "redirect", to: SETUP_PATH };
    case "anonymous":
      return page === "login" ? { kind: "render" } : { kind: "redirect", to: LOGIN_PATH };
    case "signedIn":
      return { kind: "redirect", to: safeNext(next) };
  }
};

/**
 * A 401 from these calls is an answer, not a lost session: a wrong password on login (someone may
 * be trying another account while signed in), an already-ended session on logout.
 */
const ANSWERS_WITH_401 = new Set<EndpointName>(["login", "logout"]);

/** How an API failure changes the session: a 401 ends it, SETUP_REQUIRED means the database is new. */
export const sessionAfterFailure = (
  session: Session,
  failure: { status: number; code: string },
  endpoint: EndpointName,
): Session => {
  if (failure.code === "SETUP_REQUIRED") return { status: "setup", codeRequired: null };
  if (failure.status === 401 && !ANSWERS_WITH_401.has(endpoint) && session.status === "signedIn") {
    return { status: "anonymous", reason: "expired" };
  }
  return session;
};
