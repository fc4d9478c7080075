import { api, type Me, type User } from "@labelbench/schema";
import { type Request, type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { type AuthContext, authOf } from "./context.js";
import { clearSessionCookie, SESSION_TTL_MS, setSessionCookie } from "./cookies.js";
import { FailureLimiter } from "./rate-limit.js";
import { authRepo } from "./repo.js";
import { digest, newSecret, verifyPassword } from "./secrets.js";
import { userService } from "./service.js";

const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export const authRouter = (deps: Deps): Router => {
  const r = Router();
  const repo = authRepo(deps.db);
  const users = userService(deps);
  const perAccount = new FailureLimiter(5, LOGIN_WINDOW_MS);
  const perIp = new FailureLimiter(30, LOGIN_WINDOW_MS);
  const requireAuth = (res: Response): AuthContext => {
    const a = authOf(res);
    if (!a) throw new AppError("UNAUTHENTICATED", "sign in first");
    return a;
  };

  /** A fresh session id at every sign-in (rotation), replacing any session the browser had. */
  const startSession = (req: Request, res: Response, user: User): Me => {
    const previous = authOf(res);
    if (previous?.sessionHash) repo.deleteSession(previous.sessionHash);
    const sid = newSecret();
    const now = deps.now();
    const expires = new Date(Date.parse(now) + SESSION_TTL_MS).toISOString();
    repo.purgeExpiredSessions(now);
    repo.insertSession(digest(sid), user.id, now, expires);
    setSessionCookie(req, res, sid, SESSION_TTL_MS);
    return { user, via: "session", scope: "write" };
  };

  route(r, api.setupStatus, () => ({ required: !repo.adminExists() }));

  route(r, api.setup, async ({ body, req, res }) => {
    if (repo.adminExists()) throw new AppError("CONFLICT", "setup is already done; sign in instead");
    const admin = await users.create({ ...body, role: "admin" });
    res.status(201);
    return startSession(req, res, admin);
  });

  route(r, api.login, async ({ body, req, res }) => {
    const ip = req.ip ?? "unknown";
    const wait = Math.max(perAccount.retryAfter(body.email), perIp.retryAfter(ip));
    if (wait > 0) {
      res.setHeader("Retry-After", String(wait));
      throw new AppError("RATE_LIMITED", `too many failed sign-in attempts; try again in ${wait} s`);
    }
    const user = repo.userByEmail(body.email);
    const ok = await verifyPassword(user?.passwordHash ?? null, body.password);
    if (!user || !ok || !user.active) {
      perAccount.fail(body.email);
      perIp.fail(ip);
      throw new AppError("UNAUTHENTICATED", "email or password is incorrect");
    }
    perAccount.reset(body.email);
    const { passwordHash: _, ...plain } = user;
    return startSession(req, res, plain);
  });

  route(r, api.logout, ({ req, res }) => {
    const a = requireAuth(res);
    if (a.sessionHash) repo.deleteSession(a.sessionHash);
    clearSessionCookie(req, res);
  });

  route(r, api.me, ({ res }) => {
    const a = requireAuth(res);
    return { user: a.user, via: a.via, scope: a.scope };
  });

  // Throttled like sign-in: a stolen session must not become a way to guess the password.
  const perUserPassword = new FailureLimiter(5, LOGIN_WINDOW_MS);
  route(r, api.changePassword, async ({ body, res }) => {
    const a = requireAuth(res);
    if (a.via === "token" || !a.sessionHash)
      throw new AppError("FORBIDDEN", "API tokens cannot change passwords; sign in to the web app");
    const key = String(a.user.id);
    const wait = perUserPassword.retryAfter(key);
    if (wait > 0) {
      res.setHeader("Retry-After", String(wait));
      throw new AppError("RATE_LIMITED", `too many wrong current passwords; try again in ${wait} s`);
    }
    const user = repo.userById(a.user.id);
    if (!user || !(await verifyPassword(user.passwordHash, body.currentPassword))) {
      perUserPassword.fail(key);
      throw new AppError("VALIDATION_ERROR", "the current password is incorrect", [
        { path: "body.currentPassword", message: "the current password is incorrect" },
      ]);
    }
    perUserPassword.reset(key);
    if (body.newPassword === body.currentPassword)
      throw new AppError("VALIDATION_ERROR", "the new password is the same as the current one", [
        { path: "body.newPassword", message: "choose a password different from the current one" },
      ]);
    await users.changeOwnPassword(user.id, body.newPassword, a.sessionHash);
  });

  route(r, api.listUsers, () => ({ items: repo.listUsers() }));
  route(r, api.createUser, ({ body }) => users.create(body));
  route(r, api.updateUser, ({ params, body, res }) =>
    users.update(params.userId, body, requireAuth(res).user.id),
  );

  route(r, api.listMembers, ({ params }) => {
    if (!repo.projectExists(params.projectId)) throw notFound("project", params.projectId);
    return { items: repo.listMembers(params.projectId) };
  });
  route(r, api.addMember, ({ params, body }) => {
    if (!repo.projectExists(params.projectId)) throw notFound("project", params.projectId);
    const user = repo.userById(body.userId);
    if (!user)
      throw new AppError("VALIDATION_ERROR", `user ${body.userId} does not exist`, [
        { path: "userId", message: "unknown user" },
      ]);
    repo.addMember(params.projectId, user.id, deps.now());
    const member = repo.listMembers(params.projectId).find((m) => m.userId === user.id);
    if (!member) throw new Error("member vanished");
    return member;
  });
  route(r, api.removeMember, ({ params, query }) => {
    if (!repo.projectExists(params.projectId)) throw notFound("project", params.projectId);
    if (!repo.removeMember(params.projectId, query.userId)) {
      throw new AppError("NOT_FOUND", `user ${query.userId} is not a member of project ${params.projectId}`);
    }
  });

  route(r, api.listTokens, ({ res }) => ({ items: repo.listTokens(requireAuth(res).user.id) }));
  route(r, api.createToken, ({ body, res }) => {
    const a = requireAuth(res);
    if (a.via === "token")
      throw new AppError("FORBIDDEN", "API tokens cannot create tokens; sign in to the web app");
    const token = newSecret("lbt_");
    const now = deps.now();
    const expiresAt =
      body.expiresInDays === null
        ? null
        : new Date(Date.parse(now) + body.expiresInDays * 86_400_000).toISOString();
    const saved = repo.insertToken(
      {
        userId: a.user.id,
        name: body.name,
        hash: digest(token),
        prefix: token.slice(0, 10),
        scope: body.scope,
        expiresAt,
      },
      now,
    );
    return { ...saved, token };
  });
  route(r, api.deleteToken, ({ params, res }) => {
    if (!repo.revokeToken(requireAuth(res).user.id, params.tokenId, deps.now()))
      throw notFound("token", params.tokenId);
  });

  return r;
};
