import type { Deps } from "../../deps.js";
import { digest, newSecret } from "../auth/secrets.js";
import { backendRepo } from "./repo.js";

/** A job's key lasts this long after the job ends: backends may download lazily or retry. */
export const KEY_AFTER_JOB_MS = 24 * 60 * 60 * 1000;
/** A test connection's key: long enough to debug the backend with the exact request shown. */
export const KEY_FOR_TEST_MS = 60 * 60 * 1000;

/**
 * A new image key for a backend: it downloads the image files of the backend's project and nothing
 * else (modules/auth/policy.ts, checkImageKey), acts for `userId`, and expires. The plain key lives
 * only in memory (it is sent to the backend in /setup); the database keeps its sha256.
 */
export const issueImageKey = async (
  deps: Pick<Deps, "sql" | "dialect" | "now">,
  backend: { id: number; projectId: number },
  userId: number,
  ttlMs: number,
): Promise<{ id: number; key: string }> => {
  const key = newSecret("lbk_");
  const now = deps.now();
  const id = await backendRepo(deps.sql, deps.dialect).insertKey({
    backend_id: backend.id,
    project_id: backend.projectId,
    user_id: userId,
    key_hash: digest(key),
    created_at: now,
    expires_at: new Date(Date.parse(now) + ttlMs).toISOString(),
    last_used_at: null,
  });
  return { id, key };
};

/** Whether the key was used since it was issued (did the backend fetch the image it was sent?). */
export const keyUsed = async (deps: Pick<Deps, "sql">, keyId: number): Promise<boolean> =>
  (
    await deps.sql
      .selectFrom("model_backend_keys")
      .select("last_used_at")
      .where("id", "=", keyId)
      .executeTakeFirst()
  )?.last_used_at != null;
