import type { Me } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { loadSession } from "./load-session";

const me: Me = {
  user: {
    id: 7,
    email: "m@example.com",
    name: "Mia",
    role: "annotator",
    active: true,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  },
  via: "session",
  scope: "write",
};

describe("loadSession", () => {
  it("answers setup while no admin exists, without asking who is signed in", async () => {
    let asked = false;
    const s = await loadSession({
      setupStatus: async () => ({ required: true, codeRequired: true }),
      me: async () => {
        asked = true;
        return me;
      },
    });
    expect(s).toEqual({ status: "setup", codeRequired: true });
    expect(asked).toBe(false);
  });

  it("answers signed-in with the user from /auth/me", async () => {
    const s = await loadSession({
      setupStatus: async () => ({ required: false, codeRequired: false }),
      me: async () => me,
    });
    expect(s).toEqual({ status: "signedIn", me });
  });

  it("reads a 401 from /auth/me as nobody signed in", async () => {
    const s = await loadSession({
      setupStatus: async () => ({ required: false, codeRequired: false }),
      me: async () => {
        throw new ApiError(401, "UNAUTHENTICATED", "sign in first");
      },
    });
    expect(s).toEqual({ status: "anonymous", reason: "none" });
  });

  it("reads SETUP_REQUIRED from any step as setup", async () => {
    const s = await loadSession({
      setupStatus: async () => ({ required: false, codeRequired: false }),
      me: async () => {
        throw new ApiError(503, "SETUP_REQUIRED", "no admin yet");
      },
    });
    expect(s).toEqual({ status: "setup", codeRequired: true });
  });

  it("reports an unreachable server with the client's message, never as signed out", async () => {
    const s = await loadSession({
      setupStatus: async () => {
        throw new ApiError(0, "NETWORK", "cannot reach the server; check your connection");
      },
      me: async () => me,
    });
    expect(s).toEqual({ status: "unreachable", message: "cannot reach the server; check your connection" });
  });

  it("reports a reply that fails the schema as unreachable too", async () => {
    const s = await loadSession({
      setupStatus: async () => {
        throw new Error("invalid reply");
      },
      me: async () => me,
    });
    expect(s).toEqual({ status: "unreachable", message: "invalid reply" });
  });
});
