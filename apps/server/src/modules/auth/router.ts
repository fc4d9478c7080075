import { api, type Me, type User } from "@labelbench/schema";
import { type Request, type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { type AuthContext, authOf } from "./context.js";
import { clearSessionCookie, SESSION_TTL_MS, setSessionCookie } from "./cookies.js";
import { checkSameOrigin } from "./middleware.js";
import { authRepo } from "./repo.js";
import { digest, newSecret, verifyPassword } from "./secrets.js";
import { userService } from "./service.js";
import { isDirectLocalRequest, setupCodeMatches } from "./setup-code.js";
import { authThrottle, type Gate, type ThrottleKey } from "./throttle.js";

export interface AuthRouterOptions {
  /** The one-time code (printed in the server log) that setup from another machine must bring. */
  setupCode: string;
}

export const authRouter = (deps: Deps, opts: AuthRouterOptions): Router => {
  const r = Router();
  const repo = authRepo(deps.sql);
  const users = userService(deps);
  const throttle = authThrottle(deps.sql);
  const nowMs = () => Date.parse(deps.now());
  const clientOf = (req: Request) => req.ip ?? "unknown";
  /** Counts the attempt before the password is checked; refuses it while the key must wait. */
  const reserveAttempt = async (
    req: Request,
    res: Response,
    key: ThrottleKey,
    refusal: Record<"account" | "address", string>,
  ) => {
    const gate: Gate = await throttle.reserve(key, clientOf(req), nowMs());
    if (gate.ok) return;
    res.setHeader("Retry-After", String(gate.retryAfterS));
    throw new AppError("RATE_LIMITED", `${refusal[gate.why]}; try again in ${gate.retryAfterS} s`);
  };
  const requireAuth = (res: Response): AuthContext => {
    const a = authOf(res);
    if (!a) throw new AppError("UNAUTHENTICATED", "sign in first");
    return a;
  };

  /** A fresh session id at every sign-in (rotation), replacing any session the browser had. */
  const startSession = async (req: Request, res: Response, user: User): Promise<Me> => {
    const previous = authOf(res);
    if (previous?.sessionHash) await repo.deleteSession(previous.sessionHash);
    const sid = newSecret();
    const now = deps.now();
    const expires = new Date(Date.parse(now) + SESSION_TTL_MS).toISOString();
    await repo.purgeExpiredSessions(now);
    await repo.insertSession(digest(sid), user.id, now, expires);
    setSessionCookie(req, res, sid, SESSION_TTL_MS);
    return { user, via: "session", scope: "write" };
  };

  const codeRequired = (req: Request) => !isDirectLocalRequest(req, deps.config.trustProxy);

  route(r, api.setupStatus, async ({ req }) => {
    const required = !(await repo.adminExists());
    return { required, codeRequired: required && codeRequired(req) };
  });

  route(r, api.setup, async ({ body, req, res }) => {
    checkSameOrigin(req);
    if (await repo.adminExists()) throw new AppError("CONFLICT", "setup is already done; sign in instead");
    if (codeRequired(req)) {
      const where = "it is in the server log, on the line with “setup code”, and changes at every restart";
      if (!body.code)
        throw new AppError("FORBIDDEN", "setting up from another machine needs the setup code", [
          { path: "body.code", message: `enter the setup code: ${where}` },
        ]);
      if (!setupCodeMatches(opts.setupCode, body.code))
        throw new AppError("FORBIDDEN", "the setup code is incorrect", [
          { path: "body.code", message: `the setup code is incorrect: ${where}` },
        ]);
    }
    const { code: _, ...account } = body;
    const admin = await users.create({ ...account, role: "admin" });
    res.status(201);
    return startSession(req, res, admin);
  });

  route(r, api.login, async ({ body, req, res }) => {
    checkSameOrigin(req);
    // Per account x client, so a guesser slows down only themselves, not colleagues behind the same NAT.
    const key = { subject: `login:${body.email}`, client: clientOf(req) };
    await reserveAttempt(req, res, key, {
      account: "too many failed sign-in attempts for this account",
      address: "too many failed sign-in attempts from your network address",
    });
    const user = await repo.userByEmail(body.email);
    const ok = await verifyPassword(user?.passwordHash ?? null, body.password);
    if (!user || !ok || !user.active) throw new AppError("UNAUTHENTICATED", "email or password is incorrect");
    await throttle.succeeded(key, clientOf(req), nowMs());
    const { passwordHash: _, ...plain } = user;
    return startSession(req, res, plain);
  });

  route(r, api.logout, async ({ req, res }) => {
    const a = requireAuth(res);
    if (a.sessionHash) await repo.deleteSession(a.sessionHash);
    clearSessionCookie(req, res);
  });

  route(r, api.me, ({ res }) => {
    const a = requireAuth(res);
    // An image key never reaches here (it only downloads image files: policy.ts checkImageKey).
    return {
      user: a.user,
      via: a.via === "session" ? ("session" as const) : ("token" as const),
      scope: a.scope,
    };
  });

  // Throttled like sign-in: a stolen session must not become a way to guess the password. Per
  // user from every client: the session, not the address, is what the guesser holds.
  route(r, api.changePassword, async ({ body, req, res }) => {
    const a = requireAuth(res);
    if (a.via === "token" || !a.sessionHash)
      throw new AppError("FORBIDDEN", "API tokens cannot change passwords; sign in to the web app");
    const key = { subject: `password:${a.user.id}`, client: "*" };
    await reserveAttempt(req, res, key, {
      account: "too many wrong current passwords",
      address: "too many failed password attempts from your network address",
    });
    const user = await repo.userById(a.user.id);
    if (!user || !(await verifyPassword(user.passwordHash, body.currentPassword))) {
      throw new AppError("VALIDATION_ERROR", "the current password is incorrect", [
        { path: "body.currentPassword", message: "the current password is incorrect" },
      ]);
    }
    await throttle.succeeded(key, clientOf(req), nowMs());
    if (body.newPassword === body.currentPassword)
      throw new AppError("VALIDATION_ERROR", "the new password is the same as the current one", [
        { path: "body.newPassword", message: "choose a password different from the current one" },
      ]);
    await users.changeOwnPassword(user.id, body.newPassword, a.sessionHash);
  });

  route(r, api.listUsers, async () => ({ items: await repo.listUsers() }));
  route(r, api.createUser, ({ body }) => users.create(body));
  route(r, api.updateUser, ({ params, body, res }) =>
    users.update(params.userId, body, requireAuth(res).user.id),
  );

  route(r, api.listMembers, async ({ params }) => {
    if (!(await repo.projectExists(params.projectId))) throw notFound("project", params.projectId);
    return { items: await repo.listMembers(params.projectId) };
  });
  route(r, api.addMember, async ({ params, body }) => {
    if (!(await repo.projectExists(params.projectId))) throw notFound("project", params.projectId);
    const user = await repo.userById(body.userId);
    if (!user)
      throw new AppError("VALIDATION_ERROR", `user ${body.userId} does not exist`, [
        { path: "userId", message: "unknown user" },
      ]);
    await repo.addMember(params.projectId, user.id, deps.now());
    const member = (await repo.listMembers(params.projectId)).find((m) => m.userId === user.id);
    if (!member) throw new Error("member vanished");
    return member;
  });
  route(r, api.removeMember, async ({ params, query }) => {
    if (!(await repo.projectExists(params.projectId))) throw notFound("project", params.projectId);
    if (!(await repo.removeMember(params.projectId, query.userId))) {
      throw new AppError("NOT_FOUND", `user ${query.userId} is not a member of project ${params.projectId}`);
    }
  });

  route(r, api.listTokens, async ({ res }) => ({ items: await repo.listTokens(requireAuth(res).user.id) }));
  route(r, api.createToken, async ({ body, res }) => {
    const a = requireAuth(res);
    if (a.via === "token")
      throw new AppError("FORBIDDEN", "API tokens cannot create tokens; sign in to the web app");
    const token = newSecret("lbt_");
    const now = deps.now();
    const expiresAt =
      body.expiresInDays === null
        ? null
        : new Date(Date.parse(now) + body.expiresInDays * 86_400_000).toISOString();
    const saved = await repo.insertToken(
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
  route(r, api.deleteToken, async ({ params, res }) => {
    if (!(await repo.revokeToken(requireAuth(res).user.id, params.tokenId, deps.now())))
      throw notFound("token", params.tokenId);
  });

  return r;
};
