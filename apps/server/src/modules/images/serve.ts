import { pipeline } from "node:stream";
import type { Request, Response } from "express";
import type { Storage } from "../../storage/storage.js";

// `private`: these are a project's own pictures, served only to signed-in members; a shared cache
// (a proxy, a CDN) must not keep them and hand them to whoever asks next.
const IMMUTABLE = "private, max-age=31536000, immutable";

/** Parses a single `bytes=` range; null means "send everything", "invalid" means 416. */
export const parseRange = (
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | "invalid" => {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null; // multi-range or junk: ignore, send the whole file
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return "invalid";
  return { start, end };
};

/** Sends stored bytes with a strong ETag, immutable caching and Range support. */
export const sendStored = async (
  req: Request,
  res: Response,
  storage: Storage,
  key: string,
  etag: string,
  contentType: string,
  size: number,
) => {
  res.setHeader("ETag", `"${etag}"`);
  res.setHeader("Cache-Control", IMMUTABLE);
  res.setHeader("Accept-Ranges", "bytes");
  res.setHeader("Content-Type", contentType);
  res.setHeader("X-Content-Type-Options", "nosniff");
  if (req.headers["if-none-match"] === `"${etag}"`) {
    res.status(304).end();
    return;
  }
  const range = parseRange(req.headers.range, size);
  if (range === "invalid") {
    res.setHeader("Content-Range", `bytes */${size}`);
    res.status(416).end();
    return;
  }
  if (range) {
    res.status(206);
    res.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader("Content-Length", String(range.end - range.start + 1));
  } else {
    res.setHeader("Content-Length", String(size));
  }
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  // pipeline, not pipe: a client that hangs up must free the source too (a file descriptor, or a
  // pooled S3 connection that would otherwise wait, paused, until the pool runs dry). A failing
  // source destroys the response, so a cut download never looks complete.
  pipeline(storage.stream(key, range ?? undefined), res, () => undefined);
};
