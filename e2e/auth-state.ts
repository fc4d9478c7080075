import path from "node:path";

export const E2E_ADMIN = { email: "admin@labelbench.test", password: "e2e-admin-password" };
/**
 * One file per port: runs on different ports at the same time (parallel checkouts, CI shards) must
 * not overwrite each other's session, and cookies for `localhost` ignore the port, so a foreign
 * session cookie would silently be sent to this run's server and answered with 401.
 */
export const STORAGE_STATE = path.join(
  import.meta.dirname,
  ".auth",
  `admin-${process.env.E2E_PORT ?? 3311}.json`,
);
