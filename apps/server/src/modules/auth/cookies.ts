import type { Request, Response } from "express";

export const SESSION_COOKIE = "lb_session";
export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

export const readCookie = (req: Request, name: string): string | null => {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
};

export const setSessionCookie = (req: Request, res: Response, value: string, maxAgeMs: number) => {
  res.cookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: "lax",
    secure: req.secure,
    path: "/",
    maxAge: maxAgeMs,
  });
};

export const clearSessionCookie = (req: Request, res: Response) => {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", secure: req.secure, path: "/" });
};
