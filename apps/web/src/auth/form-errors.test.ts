import { UserCreate } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import {
  fieldErrorsFromDetails,
  fieldErrorsFromIssues,
  newPasswordFormErrors,
  readableWait,
  sentence,
  splitFormError,
} from "./form-errors";

describe("fieldErrorsFromDetails", () => {
  it("keys the server's issues by field, first message per field", () => {
    expect(
      fieldErrorsFromDetails([
        { path: "body.password", message: "too short" },
        { path: "body.password", message: "second" },
        { path: "body.email", message: "must be an email address" },
        { path: "query.userId", message: "bad id" },
      ]),
    ).toEqual({ password: "too short", email: "must be an email address", userId: "bad id" });
  });

  it("yields nothing for details that are not field issues", () => {
    expect(fieldErrorsFromDetails(undefined)).toEqual({});
    expect(fieldErrorsFromDetails({ conflicts: 3 })).toEqual({});
  });
});

describe("fieldErrorsFromIssues", () => {
  it("turns a local check with the shared schema into per-field messages", () => {
    const r = UserCreate.safeParse({ email: "nope", name: "", role: "manager", password: "short" });
    expect(r.success).toBe(false);
    const errors = r.success ? {} : fieldErrorsFromIssues(r.error.issues);
    expect(Object.keys(errors).sort()).toEqual(["email", "name", "password"]);
    expect(errors.password).toMatch(/at least 10 characters/);
  });
});

describe("sentence", () => {
  it("capitalises and ends a server fragment", () => {
    expect(sentence("email or password is incorrect")).toBe("Email or password is incorrect.");
    expect(sentence("too many failed sign-in attempts; try again in 30 s")).toBe(
      "Too many failed sign-in attempts; try again in 30 s.",
    );
    expect(sentence("Done!")).toBe("Done!");
    expect(sentence("  ")).toBe("");
  });
});

describe("readableWait", () => {
  it("turns long waits into minutes and keeps short ones in seconds", () => {
    expect(readableWait("too many failed sign-in attempts; try again in 898 s")).toBe(
      "too many failed sign-in attempts; try again in 15 minutes",
    );
    expect(readableWait("try again in 42 s")).toBe("try again in 42 s");
    expect(readableWait("no wait here")).toBe("no wait here");
  });
});

describe("splitFormError", () => {
  it("puts per-field details under their fields and anything else on top of the form", () => {
    const wrong = new ApiError(400, "VALIDATION_ERROR", "invalid", [
      { path: "body.currentPassword", message: "the current password is incorrect" },
    ]);
    expect(splitFormError(wrong)).toEqual({
      fields: { currentPassword: "the current password is incorrect" },
      form: null,
    });
    const throttled = new ApiError(429, "RATE_LIMITED", "too many wrong current passwords; try again in 5 s");
    expect(splitFormError(throttled)).toEqual({
      fields: {},
      form: "Too many wrong current passwords; try again in 5 s.",
    });
  });
});

describe("newPasswordFormErrors", () => {
  it("adds a mismatch under confirm only when the new password itself is acceptable", () => {
    expect(newPasswordFormErrors([], "newPassword", "long-enough-1", "long-enough-2")).toEqual({
      confirm: "the passwords do not match",
    });
    expect(newPasswordFormErrors([], "newPassword", "long-enough-1", "long-enough-1")).toEqual({});
    const short = [{ path: ["newPassword"], message: "password must have at least 10 characters" }];
    expect(newPasswordFormErrors(short, "newPassword", "short", "other")).toEqual({
      newPassword: "password must have at least 10 characters",
    });
  });
});
