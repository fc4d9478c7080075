import { type Request, type Response, Router } from "express";
import { z } from "zod";
import { AppError, zodIssues } from "../../http/errors.js";
import { authOf } from "../auth/context.js";
import type { TileQueue } from "./queue.js";

const TileQueueControl = z.strictObject({ held: z.boolean() });

/**
 * Test-only controls, outside the API contract: createApp mounts this router only when
 * LABELBENCH_TEST_CONTROLS=1 (the e2e config sets it; a production server answers 404 here).
 *
 * PUT /test/tile-queue {"held": true} stops the tile worker from starting jobs, so an e2e test sees an
 * uploaded gigapixel image 'pending' however fast the machine is; {"held": false} lets it go on.
 * Admins only, like every other server-wide switch.
 */
export const testControlRouter = (tiles: TileQueue): Router => {
  const r = Router();
  r.put("/test/tile-queue", (req: Request, res: Response) => {
    const auth = authOf(res);
    if (!auth) throw new AppError("UNAUTHENTICATED", "sign in to use the test controls");
    if (auth.user.role !== "admin" || auth.scope !== "write")
      throw new AppError("FORBIDDEN", "only admins, with write access, may use the test controls");
    const parsed = TileQueueControl.safeParse(req.body);
    if (!parsed.success) {
      const details = zodIssues(parsed.error, "body");
      throw new AppError(
        "VALIDATION_ERROR",
        `invalid body: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
        details,
      );
    }
    if (parsed.data.held) tiles.hold();
    else tiles.release();
    res.json({ held: tiles.held });
  });
  return r;
};
