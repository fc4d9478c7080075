import path from "node:path";

export const E2E_ADMIN = { email: "admin@labelbench.test", password: "e2e-admin-password" };
export const STORAGE_STATE = path.join(import.meta.dirname, ".auth", "admin.json");
