import { type ApiToken, type Member, Role, TokenScope, type User } from "@labelbench/schema";
import type { Selectable } from "kysely";
import type { Executor } from "../../db/executor.js";
import { queryTemplate } from "../../db/query-template.js";
import type { Database } from "../../db/schema.js";

type UserRow = Selectable<Database["users"]>;
type TokenRow = Selectable<Database["api_tokens"]>;
export type UserWithHash = User & { passwordHash: string };

export const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: Role.parse(r.role),
  active: r.active === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const withHash = (r: UserRow): UserWithHash => ({ ...toUser(r), passwordHash: r.password_hash });

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  scope: TokenScope.parse(r.scope),
  prefix: r.prefix,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
});

/**
 * How stale a token's `last_used_at` may get before a request writes it again: every request
 * writing it would turn each API call into a write (SQLite's one writer, a dead row per call on
 * PostgreSQL); the token page shows it as "5 minutes ago" anyway.
 */
export const TOKEN_TOUCH_MS = 60_000;

const USER_COLUMNS = [
  "u.id",
  "u.email",
  "u.name",
  "u.role",
  "u.password_hash",
  "u.active",
  "u.created_at",
  "u.updated_at",
] as const;

/** The user of a live session: the lookup on every cookie request. */
const sessionLookup = (db: Executor, v: { hash: string; now: string }) =>
  db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select(USER_COLUMNS)
    .where("s.id_hash", "=", v.hash)
    .where("s.expires_at", ">", v.now)
    .where("u.active", "=", 1);

/** A live token and its active user: the lookup on every bearer request. */
const tokenLookup = (db: Executor, v: { hash: string; now: string }) =>
  db
    .selectFrom("api_tokens as t")
    .innerJoin("users as u", "u.id", "t.user_id")
    .select([...USER_COLUMNS, "t.scope as t_scope", "t.id as t_id", "t.last_used_at as t_used"])
    .where("t.token_hash", "=", v.hash)
    .where("t.revoked_at", "is", null)
    .where((eb) => eb.or([eb("t.expires_at", "is", null), eb("t.expires_at", ">", v.now)]))
    .where("u.active", "=", 1);

/** Users, sessions, API tokens and project memberships, on the database or inside a transaction. */
export const authRepo = (db: Executor) => {
  // Compiled once per repo (the middleware builds one per app): these run on every request.
  const sessionUser = queryTemplate(db, ["hash", "now"], (v) => sessionLookup(db, v));
  const tokenUser = queryTemplate(db, ["hash", "now"], (v) => tokenLookup(db, v));
  return {
    adminExists: async (): Promise<boolean> =>
      (await db.selectFrom("users").select("id").where("role", "=", "admin").limit(1).executeTakeFirst()) !==
      undefined,
    userById: async (id: number): Promise<UserWithHash | null> => {
      const r = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? withHash(r) : null;
    },
    userByEmail: async (email: string): Promise<UserWithHash | null> => {
      const r = await db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirst();
      return r ? withHash(r) : null;
    },
    listUsers: async (): Promise<User[]> =>
      (await db.selectFrom("users").selectAll().orderBy("id").execute()).map(toUser),
    insertUser: async (
      u: { email: string; name: string; role: Role; passwordHash: string },
      now: string,
    ): Promise<number> =>
      (
        await db
          .insertInto("users")
          .values({
            email: u.email,
            name: u.name,
            role: u.role,
            password_hash: u.passwordHash,
            active: 1,
            created_at: now,
            updated_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow()
      ).id,
    updateUser: async (
      id: number,
      p: {
        name?: string | undefined;
        role?: Role | undefined;
        active?: boolean | undefined;
        passwordHash?: string | undefined;
      },
      now: string,
    ): Promise<void> => {
      await db
        .updateTable("users")
        .set({
          ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.role !== undefined ? { role: p.role } : {}),
          ...(p.active !== undefined ? { active: p.active ? 1 : 0 } : {}),
          ...(p.passwordHash !== undefined ? { password_hash: p.passwordHash } : {}),
          updated_at: now,
        })
        .where("id", "=", id)
        .execute();
    },
    activeAdminCount: async (): Promise<number> =>
      Number(
        (
          await db
            .selectFrom("users")
            .select((eb) => eb.fn.countAll().as("n"))
            .where("role", "=", "admin")
            .where("active", "=", 1)
            .executeTakeFirstOrThrow()
        ).n,
      ),

    insertSession: async (idHash: string, userId: number, now: string, expiresAt: string): Promise<void> => {
      await db
        .insertInto("sessions")
        .values({ id_hash: idHash, user_id: userId, created_at: now, expires_at: expiresAt })
        .execute();
    },
    /** The session's user, if the session is live and the user active: one query, on every cookie request. */
    sessionUser: async (idHash: string, now: string): Promise<UserWithHash | null> => {
      const [r] = await sessionUser({ hash: idHash, now });
      return r ? withHash(r) : null;
    },
    deleteSession: async (idHash: string): Promise<void> => {
      await db.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
    },
    deleteUserSessions: async (userId: number): Promise<void> => {
      await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
    },
    deleteOtherSessions: async (userId: number, keepHash: string): Promise<void> => {
      await db
        .deleteFrom("sessions")
        .where("user_id", "=", userId)
        .where("id_hash", "<>", keepHash)
        .execute();
    },
    purgeExpiredSessions: async (now: string): Promise<void> => {
      await db.deleteFrom("sessions").where("expires_at", "<=", now).execute();
    },

    insertToken: async (
      t: {
        userId: number;
        name: string;
        hash: string;
        prefix: string;
        scope: "read" | "write";
        expiresAt: string | null;
      },
      now: string,
    ): Promise<ApiToken> =>
      toToken(
        await db
          .insertInto("api_tokens")
          .values({
            user_id: t.userId,
            name: t.name,
            token_hash: t.hash,
            prefix: t.prefix,
            scope: t.scope,
            created_at: now,
            expires_at: t.expiresAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),
    listTokens: async (userId: number): Promise<ApiToken[]> =>
      (
        await db
          .selectFrom("api_tokens")
          .selectAll()
          .where("user_id", "=", userId)
          .where("revoked_at", "is", null)
          .orderBy("id")
          .execute()
      ).map(toToken),
    /**
     * The live token's active user, in one query on every bearer request. `last_used_at` is written
     * only when it is older than TOKEN_TOUCH_MS, so most requests do not write at all.
     */
    tokenUser: async (
      hash: string,
      now: string,
    ): Promise<{ user: UserWithHash; scope: "read" | "write"; tokenId: number } | null> => {
      const [r] = await tokenUser({ hash, now });
      if (!r) return null;
      if (r.t_used === null || Date.parse(now) - Date.parse(r.t_used) >= TOKEN_TOUCH_MS) {
        await db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", r.t_id).execute();
      }
      return { user: withHash(r), scope: TokenScope.parse(r.t_scope), tokenId: r.t_id };
    },
    revokeToken: async (userId: number, tokenId: number, now: string): Promise<boolean> =>
      (
        await db
          .updateTable("api_tokens")
          .set({ revoked_at: now })
          .where("id", "=", tokenId)
          .where("user_id", "=", userId)
          .where("revoked_at", "is", null)
          .executeTakeFirst()
      ).numUpdatedRows > 0n,
    revokeUserTokens: async (userId: number, now: string): Promise<void> => {
      await db
        .updateTable("api_tokens")
        .set({ revoked_at: now })
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .execute();
    },

    isMember: async (projectId: number, userId: number): Promise<boolean> =>
      (await db
        .selectFrom("project_members")
        .select("user_id")
        .where("project_id", "=", projectId)
        .where("user_id", "=", userId)
        .executeTakeFirst()) !== undefined,
    memberProjectIds: async (userId: number): Promise<number[]> =>
      (
        await db.selectFrom("project_members").select("project_id").where("user_id", "=", userId).execute()
      ).map((r) => r.project_id),
    listMembers: async (projectId: number): Promise<Member[]> =>
      (
        await db
          .selectFrom("project_members as m")
          .innerJoin("users as u", "u.id", "m.user_id")
          .select(["u.id", "u.email", "u.name", "u.role", "m.added_at"])
          .where("m.project_id", "=", projectId)
          .orderBy("u.name")
          .orderBy("u.id")
          .execute()
      ).map((r) => ({
        userId: r.id,
        email: r.email,
        name: r.name,
        role: Role.parse(r.role),
        addedAt: r.added_at,
      })),
    addMember: async (projectId: number, userId: number, now: string): Promise<void> => {
      await db
        .insertInto("project_members")
        .values({ project_id: projectId, user_id: userId, added_at: now })
        .onConflict((oc) => oc.columns(["project_id", "user_id"]).doNothing())
        .execute();
    },
    removeMember: async (projectId: number, userId: number): Promise<boolean> =>
      (
        await db
          .deleteFrom("project_members")
          .where("project_id", "=", projectId)
          .where("user_id", "=", userId)
          .executeTakeFirst()
      ).numDeletedRows > 0n,
    projectOfImage: async (imageId: number): Promise<number | null> =>
      (await db.selectFrom("images").select("project_id").where("id", "=", imageId).executeTakeFirst())
        ?.project_id ?? null,
    /** A deleted run (issue 17) still names its project: the service answers its 404. */
    projectOfPredictionRun: async (runId: number): Promise<number | null> =>
      (await db.selectFrom("prediction_runs").select("project_id").where("id", "=", runId).executeTakeFirst())
        ?.project_id ?? null,
    /**
     * A live model-backend image key (issue 17) and the active user it acts for: the lookup of a
     * request with `Authorization: Token <key>`. The key reads only its project's image files.
     */
    imageKeyUser: async (
      hash: string,
      now: string,
    ): Promise<{ user: UserWithHash; projectId: number } | null> => {
      const r = await db
        .selectFrom("model_backend_keys as k")
        .innerJoin("users as u", "u.id", "k.user_id")
        .select([...USER_COLUMNS, "k.project_id as k_project", "k.id as k_id"])
        .where("k.key_hash", "=", hash)
        .where("k.expires_at", ">", now)
        .where("u.active", "=", 1)
        .executeTakeFirst();
      if (!r) return null;
      // Tells "test connection" whether the backend fetched the image it was sent.
      await db
        .updateTable("model_backend_keys")
        .set({ last_used_at: now })
        .where("id", "=", r.k_id)
        .execute();
      return { user: withHash(r), projectId: r.k_project };
    },
    projectOfBackend: async (backendId: number): Promise<number | null> =>
      (
        await db
          .selectFrom("model_backends")
          .select("project_id")
          .where("id", "=", backendId)
          .executeTakeFirst()
      )?.project_id ?? null,
    projectOfBackendJob: async (jobId: number): Promise<number | null> =>
      (
        await db
          .selectFrom("model_backend_jobs")
          .select("project_id")
          .where("id", "=", jobId)
          .executeTakeFirst()
      )?.project_id ?? null,
    projectOfIssue: async (issueId: number): Promise<number | null> =>
      (await db.selectFrom("review_issues").select("project_id").where("id", "=", issueId).executeTakeFirst())
        ?.project_id ?? null,
    projectExists: async (projectId: number): Promise<boolean> =>
      (await db.selectFrom("projects").select("id").where("id", "=", projectId).executeTakeFirst()) !==
      undefined,
    annotatorsCanExport: async (projectId: number): Promise<boolean> =>
      (
        await db
          .selectFrom("projects")
          .select("annotators_can_export")
          .where("id", "=", projectId)
          .executeTakeFirst()
      )?.annotators_can_export === 1,
  };
};
export type AuthRepo = ReturnType<typeof authRepo>;
