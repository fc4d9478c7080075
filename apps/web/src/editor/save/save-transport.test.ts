import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import type { SaveTransport } from "./save-queue";
import { classifyPutError, ownedTransport } from "./save-transport";

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
      code: "VALIDATION_ERROR",
    });
    // Someone else holds the image: final for this body, and the code tells the editor to say who.
    expect(classifyPutError(new ApiError(409, "WORKFLOW_CONFLICT", "image 4 is held by Bob"))).toEqual({
      kind: "failed",
      message: "image 4 is held by Bob",
      retry: false,
      code: "WORKFLOW_CONFLICT",
    });
    expect(classifyPutError(new ApiError(401, "UNAUTHENTICATED", "no session"))).toMatchObject({
      retry: true,
    });
    expect(classifyPutError(new TypeError("boom"))).toMatchObject({ kind: "failed", retry: true });
  });
});

describe("ownedTransport", () => {
  const sentBy: (number | null)[] = [];
  let signedIn: number | null = 1;
  const inner: SaveTransport = {
    put: async () => {
      sentBy.push(signedIn);
      return { kind: "saved", set: server };
    },
    patch: async () => {
      sentBy.push(signedIn);
      return {
        kind: "patched",
        result: {
          imageId: 1,
          revision: 5,
          annotationCount: 0,
          upserted: [],
          deleted: [],
          placed: [],
          tags: [],
        },
      };
    },
  };
  const body = { baseRevision: 4, upsert: [], delete: [] };

  it("sends only while the edits' author is signed in; otherwise waits (retrying) without sending", async () => {
    const t = ownedTransport(1, inner, () => signedIn);
    expect((await t.patch(1, body)).kind).toBe("patched");
    signedIn = 2;
    expect(await t.patch(1, body)).toEqual({
      kind: "failed",
      message: "signed in as another account; these changes wait for the account that made them",
      retry: true,
    });
    expect((await t.put(1, { baseRevision: 4, annotations: [], tags: [] })).kind).toBe("failed");
    signedIn = null;
    expect(await t.patch(1, body)).toMatchObject({ kind: "failed", retry: true, message: /sign in again/ });
    signedIn = 1;
    expect((await t.put(1, { baseRevision: 4, annotations: [], tags: [] })).kind).toBe("saved");
    expect(sentBy).toEqual([1, 1]);
  });
});
