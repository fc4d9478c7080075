import { AnnotationSet, checkAnnotationSet, parseAnnotationSet } from "@labelbench/schema";
import { ApiError, call } from "../../api/client";
import type { SaveFailure, SaveTransport } from "./save-queue";

/** Maps an API failure onto what the save queue does next: retry, stop, or ask the user. */
export const classifyPutError = (err: unknown): SaveFailure => {
  if (err instanceof ApiError) {
    if (err.code === "REVISION_CONFLICT") {
      // The whole set of a dense image: the schema's fast path first (a few ms instead of ~150).
      const fast = checkAnnotationSet(err.details);
      if (fast) return { kind: "conflict", server: fast };
      const server = AnnotationSet.safeParse(err.details);
      if (server.success) return { kind: "conflict", server: server.data };
      return { kind: "failed", message: "the server reported a conflict without its version", retry: true };
    }
    if (err.code === "NETWORK") return { kind: "offline", message: err.message };
    // A lapsed session comes back once the user signs in again: keep trying until then.
    if (err.status === 401)
      return { kind: "failed", message: "signed out; sign in again to save", retry: true };
    // Another 4xx will answer the same way to the same body; 5xx, 408 and 429 may pass later.
    const retry = err.status >= 500 || err.status === 408 || err.status === 429 || err.status === 0;
    return { kind: "failed", message: err.message, retry, code: err.code };
  }
  return { kind: "failed", message: (err as Error)?.message ?? String(err), retry: true };
};

export const apiSaveTransport: SaveTransport = {
  put: async (imageId, body) => {
    try {
      // 12,000 shapes come back: the schema's fast path checks them in a few ms instead of ~150.
      const set = await call("putAnnotations", { params: { imageId }, body, parse: parseAnnotationSet });
      return { kind: "saved", set };
    } catch (err) {
      return classifyPutError(err);
    }
  },
  patch: async (imageId, body) => {
    try {
      // The reply names only the shapes sent: small whatever the image holds.
      const result = await call("patchAnnotations", { params: { imageId }, body });
      return { kind: "patched", result };
    } catch (err) {
      return classifyPutError(err);
    }
  },
};

/**
 * Saves go out only while their author is the one signed in: after a session lapses, whoever signs
 * in next in this tab must not have someone else's edits saved under their name. They wait (retrying)
 * until the author is back.
 */
export const ownedTransport = (
  ownerId: number,
  transport: SaveTransport,
  currentUserId: () => number | null,
): SaveTransport => {
  const refusal = () => {
    const who = currentUserId();
    return who === ownerId
      ? null
      : ({
          kind: "failed",
          message:
            who === null
              ? "signed out; sign in again to save"
              : "signed in as another account; these changes wait for the account that made them",
          retry: true,
        } as const);
  };
  return {
    put: async (imageId, body) => refusal() ?? transport.put(imageId, body),
    patch: async (imageId, body) => refusal() ?? transport.patch(imageId, body),
  };
};
