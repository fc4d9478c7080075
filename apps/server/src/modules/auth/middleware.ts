import type { NextFunction, Request, Response } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import type { AuthContext } from "./context.js";
import { readCookie, SESSION_COOKIE } from "./cookies.js";
import { authRepo } from "./repo.js";
import { digest } from "./secrets.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Identifies the caller from `Authorization: Bearer <token>` or the session cookie. An invalid,
 * expired or revoked credential is an immediate 401 — it is never silently treated as anonymous.
 */
export const authenticate = (deps: Deps) => {
  const repo = authRepo(deps.sql);
  return async (req: Request, res: Response, next: NextFunction) => {
    const now = deps.now();
    const header = req.headers.authorization;
    if (header) {
      // Label Studio's way (its ML backends download task images with `Token <key>`): only the
      // image keys Labelbench hands to model backends are Token credentials.
      const key = /^Token\s+(\S+)$/i.exec(header)?.[1];
      if (key) {
        const found = await repo.imageKeyUser(digest(key), now);
        if (!found) throw new AppError("UNAUTHENTICATED", "image key is invalid or expired");
        const { passwordHash: _, ...user } = found.user;
        res.locals.auth = {
          user,
          via: "image-key",
          scope: "read",
          imageKeyProject: found.projectId,
        } satisfies AuthContext;
        next();
        return;
      }
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m?.[1])
        throw new AppError(
          "UNAUTHENTICATED",
          "Authorization header must be `Bearer <token>` (or `Token <image key>` for a model backend)",
        );
      const found = await repo.tokenUser(digest(m[1]), now);
      if (!found) throw new AppError("UNAUTHENTICATED", "API token is invalid, expired or revoked");
      const { passwordHash: _, ...user } = found.user;
      res.locals.auth = { user, via: "token", scope: found.scope } satisfies AuthContext;
      next();
      return;
    }
    const sid = readCookie(req, SESSION_COOKIE);
    if (sid) {
      const hash = digest(sid);
      const found = await repo.sessionUser(hash, now);
      if (found) {
        checkSameOrigin(req);
        const { passwordHash: _, ...user } = found;
        res.locals.auth = { user, via: "session", scope: "write", sessionHash: hash } satisfies AuthContext;
      }
    }
    next();
  };
};

/**
 * Cookie-authenticated writes, sign-in and setup must come from our own pages: a foreign Origin (or,
 * without one, a foreign Referer) is refused. SameSite=Lax on the cookie is the second wall; sign-in
 * and setup need this one alone, since no cookie is involved yet (login CSRF would sign the victim
 * in to an account the attacker controls). Requests with neither header (scripts, curl) pass.
 * `req.host` follows X-Forwarded-Host only when `trust proxy` trusts the peer.
 */
export const checkSameOrigin = (req: Request) => {
  if (SAFE_METHODS.has(req.method)) return;
  const host = req.host;
  const source = req.headers.origin ?? req.headers.referer;
  if (!source || !host) return;
  let sourceHost: string;
  try {
    sourceHost = new URL(source).host;
  } catch {
    throw new AppError("FORBIDDEN", "request origin is malformed; refused as a possible cross-site request");
  }
  if (sourceHost !== host) {
    throw new AppError("FORBIDDEN", `cross-site request from ${sourceHost || source} refused`);
  }
};

/** Until the first admin exists, only setup (and the health probe) answer. */
export const requireSetupDone = (deps: Deps) => {
  const repo = authRepo(deps.sql);
  // Once an admin exists one always does (the last active admin cannot be removed), so each
  // process stops asking after it has seen one.
  let done = false;
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (!done) done = await repo.adminExists();
    if (done || req.path === "/setup" || req.path === "/health") {
      next();
      return;
    }
    throw new AppError(
      "SETUP_REQUIRED",
      "Labelbench has no admin yet: open the web app to create one (from another machine with the setup code in the server log), or set LABELBENCH_ADMIN_EMAIL and LABELBENCH_ADMIN_PASSWORD",
    );
  };
};
