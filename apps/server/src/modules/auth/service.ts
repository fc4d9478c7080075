import type { Role, User } from "@labelbench/schema";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { authRepo } from "./repo.js";
import { hashPassword } from "./secrets.js";

export const userService = (deps: Pick<Deps, "sql" | "now">) => {
  const repo = authRepo(deps.sql);
  return {
    repo,
    create: async (input: { email: string; name: string; role: Role; password: string }): Promise<User> => {
      if (await repo.userByEmail(input.email))
        throw new AppError("CONFLICT", `a user with email ${input.email} already exists`);
      const passwordHash = await hashPassword(input.password);
      const id = await repo.insertUser({ ...input, passwordHash }, deps.now());
      const user = await repo.userById(id);
      if (!user) throw new Error("inserted user vanished");
      const { passwordHash: _, ...out } = user;
      return out;
    },
    /** API tokens stay valid (they are revoked one by one); other browsers are signed out. */
    changeOwnPassword: async (id: number, password: string, keepSessionHash: string): Promise<void> => {
      const passwordHash = await hashPassword(password);
      await deps.sql.transaction().execute(async (trx) => {
        const tx = authRepo(trx);
        await tx.updateUser(id, { passwordHash }, deps.now());
        await tx.deleteOtherSessions(id, keepSessionHash);
      });
    },
    update: async (
      id: number,
      patch: {
        name?: string | undefined;
        role?: Role | undefined;
        active?: boolean | undefined;
        password?: string | undefined;
      },
      actingUserId: number,
    ): Promise<User> => {
      const user = await repo.userById(id);
      if (!user) throw notFound("user", id);
      const losesAdmin =
        user.role === "admin" &&
        user.active &&
        (patch.active === false || (patch.role && patch.role !== "admin"));
      if (losesAdmin && (await repo.activeAdminCount()) <= 1) {
        throw new AppError("CONFLICT", "the last active admin cannot be demoted or deactivated");
      }
      if (id === actingUserId && patch.active === false)
        throw new AppError("CONFLICT", "you cannot deactivate yourself");
      const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
      const now = deps.now();
      await deps.sql.transaction().execute(async (trx) => {
        const tx = authRepo(trx);
        await tx.updateUser(
          id,
          { name: patch.name, role: patch.role, active: patch.active, passwordHash },
          now,
        );
        // Deactivation and password resets end every open session and token at once.
        if (patch.active === false || passwordHash) await tx.deleteUserSessions(id);
        if (patch.active === false) await tx.revokeUserTokens(id, now);
      });
      const updated = await repo.userById(id);
      if (!updated) throw notFound("user", id);
      const { passwordHash: _, ...out } = updated;
      return out;
    },
  };
};

/** Creates the admin from LABELBENCH_ADMIN_EMAIL / LABELBENCH_ADMIN_PASSWORD when none exists yet. */
export const ensureAdminFromEnv = async (
  deps: Pick<Deps, "sql" | "now">,
  env: NodeJS.ProcessEnv,
): Promise<User | null> => {
  const email = env.LABELBENCH_ADMIN_EMAIL?.trim().toLowerCase();
  const password = env.LABELBENCH_ADMIN_PASSWORD;
  if (!email || !password) return null;
  const svc = userService(deps);
  if (await svc.repo.adminExists()) return null;
  return svc.create({ email, name: "Admin", role: "admin", password });
};
