import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { classifyPutError } from "./save-transport";

const server = { imageId: 1, revision: 4, annotations: [], tags: [] };

describe("classifyPutError", () => {
  it("turns a 409 REVISION_CONFLICT with the server's set into a conflict", () => {
    expect(classifyPutError(new ApiError(409, "REVISION_CONFLICT", "stale", server))).toEqual({
      kind: "conflict",
      server,
    });
  });

  it("keeps retrying a conflict whose details are unreadable, rather than overwrite or give up", () => {
    expect(classifyPutError(new ApiError(409, "REVISION_CONFLICT", "stale", { nope: 1 }))).toMatchObject({
      kind: "failed",
      retry: true,
    });
  });

  it("tells offline from server trouble from a refusal", () => {
    expect(classifyPutError(new ApiError(0, "NETWORK", "cannot reach"))).toMatchObject({ kind: "offline" });
    expect(classifyPutError(new ApiError(503, "INTERNAL", "down"))).toMatchObject({
      kind: "failed",
      retry: true,
    });
    expect(classifyPutError(new ApiError(429, "RATE_LIMITED", "slow down"))).toMatchObject({ retry: true });
    expect(classifyPutError(new ApiError(400, "VALIDATION_ERROR", "bad label"))).toEqual({
      kind: "failed",
      message: "bad label",
      retry: false,
    });
    expect(classifyPutError(new ApiError(401, "UNAUTHENTICATED", "no session"))).toMatchObject({
      retry: true,
    });
    expect(classifyPutError(new TypeError("boom"))).toMatchObject({ kind: "failed", retry: true });
  });
});
