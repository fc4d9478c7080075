import type { User } from "@labelbench/schema";
import type { Response } from "express";

/** Who is calling, attached to res.locals by the authenticate middleware. */
export interface AuthContext {
  user: User;
  via: "session" | "token";
  scope: "read" | "write";
  /** Session id hash, to log out exactly this session. */
  sessionHash?: string;
}

export const authOf = (res: Response): AuthContext | null =>
  (res.locals.auth as AuthContext | undefined) ?? null;

/** The name recorded in createdBy/updatedBy. */
export const actorOf = (res: Response): string | null => authOf(res)?.user.email ?? null;
