import type { Me } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import {
  guardDecision,
  loginUrl,
  publicPageDecision,
  type Session,
  safeNext,
  sessionAfterFailure,
} from "./guard";

const me: Me = {
  user: {
    id: 1,
    email: "ada@example.com",
    name: "Ada",
    role: "manager",
    active: true,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  },
  via: "session",
  scope: "write",
};
const signedIn: Session = { status: "signedIn", me };
const anonymous: Session = { status: "anonymous", reason: "none" };

describe("safeNext", () => {
  it.each([
    ["/projects/3/images?status=done", "/projects/3/images?status=done"],
    ["/projects/3#x", "/projects/3#x"],
    ["/", "/"],
  ])("follows a path on this origin: %s", (raw, want) => {
    expect(safeNext(raw)).toBe(want);
  });

  it.each([
    [null],
    [""],
    ["https://evil.example/"],
    ["//evil.example/path"],
    ["/\\evil.example"],
    ["javascript:alert(1)"],
    ["projects/3"],
    ["/projects\n/3"],
    ["/login"],
    ["/login?next=/x"],
    ["/setup"],
  ])("refuses %j and goes home instead", (raw) => {
    expect(safeNext(raw)).toBe("/");
  });
});

describe("loginUrl", () => {
  it("carries where the user was, encoded", () => {
    expect(loginUrl("/projects/3/images?status=done&q=a b")).toBe(
      "/login?next=%2Fprojects%2F3%2Fimages%3Fstatus%3Ddone%26q%3Da%20b",
    );
  });
  it("needs no next for the home page or for the login page itself", () => {
    expect(loginUrl("/")).toBe("/login");
    expect(loginUrl("/login?next=%2Fx")).toBe("/login");
  });
});

describe("guardDecision (pages behind sign-in)", () => {
  it("waits while the session is being asked for", () => {
    expect(guardDecision({ status: "loading" }, "/")).toEqual({ kind: "wait" });
  });
  it("sends strangers to login with the page they wanted", () => {
    expect(guardDecision(anonymous, "/projects/2/labels")).toEqual({
      kind: "redirect",
      to: "/login?next=%2Fprojects%2F2%2Flabels",
    });
  });
  it("sends everyone to setup while no admin exists", () => {
    expect(guardDecision({ status: "setup", codeRequired: false }, "/projects/2")).toEqual({
      kind: "redirect",
      to: "/setup",
    });
  });
  it("renders for a signed-in user", () => {
    expect(guardDecision(signedIn, "/projects/2")).toEqual({ kind: "render" });
  });
  it("says when the server cannot be reached instead of guessing", () => {
    expect(guardDecision({ status: "unreachable", message: "down" }, "/")).toEqual({
      kind: "unreachable",
      message: "down",
    });
  });
});

describe("publicPageDecision (login and setup)", () => {
  it("shows login to strangers and setup while setup is required", () => {
    expect(publicPageDecision(anonymous, "login", null)).toEqual({ kind: "render" });
    expect(publicPageDecision({ status: "setup", codeRequired: false }, "setup", null)).toEqual({
      kind: "render",
    });
  });
  it("never shows setup once an admin exists, nor login before one does", () => {
    expect(publicPageDecision(anonymous, "setup", null)).toEqual({ kind: "redirect", to: "/login" });
    expect(publicPageDecision({ status: "setup", codeRequired: false }, "login", "/x")).toEqual({
      kind: "redirect",
      to: "/setup",
    });
  });
  it("sends a signed-in user on to `next`, but only to a safe place", () => {
    expect(publicPageDecision(signedIn, "login", "/projects/4/images")).toEqual({
      kind: "redirect",
      to: "/projects/4/images",
    });
    expect(publicPageDecision(signedIn, "login", "https://evil.example")).toEqual({
      kind: "redirect",
      to: "/",
    });
    expect(publicPageDecision(signedIn, "setup", null)).toEqual({ kind: "redirect", to: "/" });
  });
});

describe("sessionAfterFailure", () => {
  const unauth = { status: 401, code: "UNAUTHENTICATED" };
  it("ends a signed-in session on a 401 from any data call", () => {
    expect(sessionAfterFailure(signedIn, unauth, "listProjects")).toEqual({
      status: "anonymous",
      reason: "expired",
    });
    expect(sessionAfterFailure(signedIn, unauth, "me")).toEqual({ status: "anonymous", reason: "expired" });
  });
  it("keeps the session on a wrong password or a repeated logout", () => {
    expect(sessionAfterFailure(signedIn, unauth, "login")).toBe(signedIn);
    expect(sessionAfterFailure(signedIn, unauth, "logout")).toBe(signedIn);
  });
  it("ignores 403 and 404: the user is still signed in, just not allowed there", () => {
    expect(sessionAfterFailure(signedIn, { status: 403, code: "FORBIDDEN" }, "createLabel")).toBe(signedIn);
    expect(sessionAfterFailure(signedIn, { status: 404, code: "NOT_FOUND" }, "getProject")).toBe(signedIn);
  });
  it("goes to setup when the server says it has no admin", () => {
    expect(sessionAfterFailure(signedIn, { status: 503, code: "SETUP_REQUIRED" }, "listProjects")).toEqual({
      status: "setup",
      codeRequired: null,
    });
  });
  it("does not touch a session that is not signed in (the store's own `me` question)", () => {
    const loading: Session = { status: "loading" };
    expect(sessionAfterFailure(loading, unauth, "me")).toBe(loading);
  });
});
