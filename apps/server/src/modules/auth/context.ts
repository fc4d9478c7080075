import type { User } from "@labelbench/schema";
import type { Response } from "express";

/** Who is calling, attached to res.locals by the authenticate middleware. */
export interface AuthContext {
  user: User;
  via: "session" | "token" | "image-key";
  scope: "read" | "write";
  /**
   * A model backend's image key (issue 17): it downloads this project's image files and nothing
   * else, acting for the manager who started the job (modules/model-backends/keys.ts).
   */
  imageKeyProject?: number;
  /** Session id hash, to log out exactly this session. */
  sessionHash?: string;
}

export const authOf = (res: Response): AuthContext | null =>
  (res.locals.auth as AuthContext | undefined) ?? null;

/** The name recorded in createdBy/updatedBy. */
export const actorOf = (res: Response): string | null => authOf(res)?.user.email ?? null;
