import fs from "node:fs";
import path from "node:path";
import { type FullConfig, request } from "@playwright/test";
import { E2E_ADMIN, STORAGE_STATE } from "./auth-state";

/**
 * The e2e server starts with LABELBENCH_ADMIN_EMAIL/PASSWORD (the headless install path), so the
 * suite signs in once and every spec's page and request fixtures carry that session. Specs that
 * test signing in themselves use a fresh context without it.
 */
export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0]?.use.baseURL;
  if (!baseURL) throw new Error("baseURL missing from the Playwright config");
  const ctx = await request.newContext({ baseURL });
  const res = await ctx.post("/api/v1/auth/login", { data: E2E_ADMIN });
  if (!res.ok()) throw new Error(`e2e admin could not sign in: ${res.status()} ${await res.text()}`);
  fs.mkdirSync(path.dirname(STORAGE_STATE), { recursive: true });
  await ctx.storageState({ path: STORAGE_STATE });
  await ctx.dispose();
}
