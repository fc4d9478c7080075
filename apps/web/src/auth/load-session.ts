import type { Me, SetupStatus } from "@labelbench/schema";
import type { Session } from "./guard";

export interface SessionSource {
  setupStatus(): Promise<SetupStatus>;
  me(): Promise<Me>;
}

interface Failure {
  status: number;
  code: string;
  message: string;
}

const asFailure = (err: unknown): Failure | null => {
  if (typeof err !== "object" || err === null) return null;
  const { status, code, message } = err as Record<string, unknown>;
  return typeof status === "number" && typeof code === "string" && typeof message === "string"
    ? { status, code, message }
    : null;
};

/**
 * Asks the server who is here: first whether setup is still required (the only question it answers
 * before an admin exists), then who the session cookie belongs to. A 401 from `me` simply means
 * nobody is signed in; anything else that fails leaves the app unable to tell, which it says.
 */
export const loadSession = async (source: SessionSource): Promise<Session> => {
  try {
    const { required, codeRequired } = await source.setupStatus();
    if (required) return { status: "setup", codeRequired };
    return { status: "signedIn", me: await source.me() };
  } catch (err) {
    const f = asFailure(err);
    if (f?.status === 401) return { status: "anonymous", reason: "none" };
    // The status said an admin exists, then it was gone: ask for the code rather than ask again.
    if (f?.code === "SETUP_REQUIRED") return { status: "setup", codeRequired: true };
    const message = f?.message ?? (err instanceof Error ? err.message : String(err));
    return { status: "unreachable", message };
  }
};
