import type { ApiToken, Member, Role, User } from "@labelbench/schema";
import type { Db } from "../../db/database.js";

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  active: number;
  created_at: string;
  updated_at: string;
}

export const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  active: r.active === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  prefix: string;
  scope: "read" | "write";
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  scope: r.scope,
  prefix: r.prefix,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
});

const makeAuthRepo = (db: Db) => {
  const adminExistsSql = db.prepare("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1");
  const userByIdSql = db.prepare("SELECT * FROM users WHERE id = ?");
  const userByEmailSql = db.prepare("SELECT * FROM users WHERE email = ?");
  const listUsersSql = db.prepare("SELECT * FROM users ORDER BY id");
  const insertUserSql = db.prepare(
    "INSERT INTO users (email, name, role, password_hash, active, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
  );
  const updateUserSql =
    db.prepare(`UPDATE users SET name = coalesce(?, name), role = coalesce(?, role), active = coalesce(?, active),
           password_hash = coalesce(?, password_hash), updated_at = ? WHERE id = ?`);
  const activeAdminCountSql = db.prepare(
    "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND active = 1",
  );
  const insertSessionSql = db.prepare(
    "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
  );
  const sessionUserSql = db.prepare(`SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = ? AND s.expires_at > ? AND u.active = 1`);
  const deleteSessionSql = db.prepare("DELETE FROM sessions WHERE id_hash = ?");
  const deleteUserSessionsSql = db.prepare("DELETE FROM sessions WHERE user_id = ?");
  const deleteOtherSessionsSql = db.prepare("DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?");
  const purgeExpiredSessionsSql = db.prepare("DELETE FROM sessions WHERE expires_at <= ?");
  const insertTokenSql = db.prepare(
    "INSERT INTO api_tokens (user_id, name, token_hash, prefix, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const tokenByIdSql = db.prepare("SELECT * FROM api_tokens WHERE id = ?");
  const listTokensSql = db.prepare(
    "SELECT * FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY id",
  );
  const tokenUserSql =
    db.prepare(`SELECT u.*, t.scope AS t_scope, t.id AS t_id FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.active = 1`);
  const touchTokenSql = db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?");
  const revokeTokenSql = db.prepare(
    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
  );
  const revokeUserTokensSql = db.prepare(
    "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
  );
  const isMemberSql = db.prepare("SELECT 1 FROM project_members WHERE project_id = ? AND user_id = ?");
  const memberProjectIdsSql = db.prepare("SELECT project_id FROM project_members WHERE user_id = ?");
  const listMembersSql =
    db.prepare(`SELECT u.id, u.email, u.name, u.role, m.added_at FROM project_members m JOIN users u ON u.id = m.user_id
           WHERE m.project_id = ? ORDER BY u.name, u.id`);
  const addMemberSql = db.prepare(
    "INSERT OR IGNORE INTO project_members (project_id, user_id, added_at) VALUES (?, ?, ?)",
  );
  const removeMemberSql = db.prepare("DELETE FROM project_members WHERE project_id = ? AND user_id = ?");
  const projectOfImageSql = db.prepare("SELECT project_id FROM images WHERE id = ?");
  const projectExistsSql = db.prepare("SELECT 1 FROM projects WHERE id = ?");
  const annotatorsCanExportSql = db.prepare("SELECT annotators_can_export AS v FROM projects WHERE id = ?");
  return {
    adminExists: (): boolean => adminExistsSql.get() !== undefined,
    userById: (id: number): (User & { passwordHash: string }) | null => {
      const r = userByIdSql.get(id) as UserRow | undefined;
      return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
    },
    userByEmail: (email: string): (User & { passwordHash: string }) | null => {
      const r = userByEmailSql.get(email) as UserRow | undefined;
      return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
    },
    listUsers: (): User[] => (listUsersSql.all() as UserRow[]).map(toUser),
    insertUser: (u: { email: string; name: string; role: Role; passwordHash: string }, now: string): number =>
      Number(insertUserSql.run(u.email, u.name, u.role, u.passwordHash, now, now).lastInsertRowid),
    updateUser: (
      id: number,
      p: {
        name?: string | undefined;
        role?: Role | undefined;
        active?: boolean | undefined;
        passwordHash?: string | undefined;
      },
      now: string,
    ) =>
      updateUserSql.run(
        p.name ?? null,
        p.role ?? null,
        p.active === undefined ? null : p.active ? 1 : 0,
        p.passwordHash ?? null,
        now,
        id,
      ),
    activeAdminCount: (): number => (activeAdminCountSql.get() as { n: number }).n,

    insertSession: (idHash: string, userId: number, now: string, expiresAt: string) =>
      insertSessionSql.run(idHash, userId, now, expiresAt),
    sessionUser: (idHash: string, now: string): (User & { passwordHash: string }) | null => {
      const r = sessionUserSql.get(idHash, now) as UserRow | undefined;
      return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
    },
    deleteSession: (idHash: string) => deleteSessionSql.run(idHash),
    deleteUserSessions: (userId: number) => deleteUserSessionsSql.run(userId),
    deleteOtherSessions: (userId: number, keepHash: string) => deleteOtherSessionsSql.run(userId, keepHash),
    purgeExpiredSessions: (now: string) => purgeExpiredSessionsSql.run(now),

    insertToken: (
      t: {
        userId: number;
        name: string;
        hash: string;
        prefix: string;
        scope: "read" | "write";
        expiresAt: string | null;
      },
      now: string,
    ): ApiToken => {
      const id = Number(
        insertTokenSql.run(t.userId, t.name, t.hash, t.prefix, t.scope, now, t.expiresAt).lastInsertRowid,
      );
      return toToken(tokenByIdSql.get(id) as TokenRow);
    },
    listTokens: (userId: number): ApiToken[] => (listTokensSql.all(userId) as TokenRow[]).map(toToken),
    tokenUser: (
      hash: string,
      now: string,
    ): { user: User & { passwordHash: string }; scope: "read" | "write"; tokenId: number } | null => {
      const r = tokenUserSql.get(hash, now) as
        | (UserRow & { t_scope: "read" | "write"; t_id: number })
        | undefined;
      if (!r) return null;
      touchTokenSql.run(now, r.t_id);
      return { user: { ...toUser(r), passwordHash: r.password_hash }, scope: r.t_scope, tokenId: r.t_id };
    },
    revokeToken: (userId: number, tokenId: number, now: string): boolean =>
      revokeTokenSql.run(now, tokenId, userId).changes > 0,
    revokeUserTokens: (userId: number, now: string) => revokeUserTokensSql.run(now, userId),

    isMember: (projectId: number, userId: number): boolean =>
      isMemberSql.get(projectId, userId) !== undefined,
    memberProjectIds: (userId: number): number[] =>
      (
        memberProjectIdsSql.all(userId) as {
          project_id: number;
        }[]
      ).map((r) => r.project_id),
    listMembers: (projectId: number): Member[] =>
      (
        listMembersSql.all(projectId) as {
          id: number;
          email: string;
          name: string;
          role: Role;
          added_at: string;
        }[]
      ).map((r) => ({ userId: r.id, email: r.email, name: r.name, role: r.role, addedAt: r.added_at })),
    addMember: (projectId: number, userId: number, now: string) => addMemberSql.run(projectId, userId, now),
    removeMember: (projectId: number, userId: number): boolean =>
      removeMemberSql.run(projectId, userId).changes > 0,
    projectOfImage: (imageId: number): number | null =>
      (projectOfImageSql.get(imageId) as { project_id: number } | undefined)?.project_id ?? null,
    projectExists: (projectId: number): boolean => projectExistsSql.get(projectId) !== undefined,
    annotatorsCanExport: (projectId: number): boolean =>
      (annotatorsCanExportSql.get(projectId) as { v: number } | undefined)?.v === 1,
  };
};
export type AuthRepo = ReturnType<typeof makeAuthRepo>;

const byConnection = new WeakMap<Db, AuthRepo>();
/**
 * The auth statements of a connection, prepared at its first use and kept: the session and token
 * lookups run on every request, and the policy's membership check on every annotator request.
 */
export const authRepo = (db: Db): AuthRepo => {
  let repo = byConnection.get(db);
  if (!repo) {
    repo = makeAuthRepo(db);
    byConnection.set(db, repo);
  }
  return repo;
};
