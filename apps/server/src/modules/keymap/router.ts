import { api } from "@labelbench/schema";
import { type Response, Router } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { route } from "../../http/route.js";
import { authOf } from "../auth/context.js";
import { keymapService } from "./service.js";

/** The caller's id: a keymap is always the caller's own, there is no user id in the path to get wrong. */
const userId = (res: Response): number => {
  const a = authOf(res);
  if (!a) throw new AppError("UNAUTHENTICATED", "sign in first");
  return a.user.id;
};

export const keymapRouter = (deps: Deps): Router => {
  const r = Router();
  const keymaps = keymapService(deps);
  route(r, api.getKeymap, ({ res }) => keymaps.get(userId(res)));
  route(r, api.putKeymap, ({ body, res }) => keymaps.put(userId(res), body.bindings));
  return r;
};
