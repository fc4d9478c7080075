import { z } from "zod";
import { MAX_PATH_BYTES, MAX_PATH_SEGMENT_BYTES } from "./limits.js";

/**
 * An image's file name is its path relative to what was uploaded: `0001.jpg` for a loose file,
 * `cam_a/0001.jpg` for a file picked or dropped inside a folder. Folders are separated by `/`.
 *
 * It ends up as a path in exports, in a download's `Content-Disposition`, in log lines and in the
 * page title, so only names that are safe everywhere are stored: no `.`/`..` segments, no absolute
 * paths, no control characters, bounded lengths. Names are stored in Unicode NFC (macOS hands out
 * decomposed names; a search typed on another machine would not find them otherwise).
 */

const utf8Bytes = (s: string): number => {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const LONE_SURROGATE = /[\ud800-\udfff]/u;

const describeChar = (ch: string) =>
  `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Checks an image path; answers the NFC form to store, or why it is refused (a sentence naming the
 * offending part, for the error's message and details).
 */
export const checkImagePath = (raw: string): { ok: true; path: string } | { ok: false; reason: string } => {
  if (raw.length === 0) return { ok: false, reason: "must not be empty" };
  // Checked before normalizing, so a huge value costs one length check, not a normalization.
  if (raw.length > MAX_PATH_BYTES)
    return { ok: false, reason: `is longer than ${MAX_PATH_BYTES} bytes (UTF-8)` };
  if (LONE_SURROGATE.test(raw)) return { ok: false, reason: "is not valid Unicode (a lone surrogate)" };
  const path = raw.normalize("NFC");
  const control = CONTROL.exec(path);
  if (control)
    return {
      ok: false,
      reason: `contains the control character ${describeChar(control[0])} at position ${control.index}`,
    };
  if (path.includes("\\")) return { ok: false, reason: 'contains "\\": separate folders with "/"' };
  if (path.startsWith("/")) return { ok: false, reason: 'is an absolute path (starts with "/")' };
  if (/^[A-Za-z]:/.test(path))
    return { ok: false, reason: `is an absolute path (starts with a drive "${path.slice(0, 2)}")` };
  const bytes = utf8Bytes(path);
  if (bytes > MAX_PATH_BYTES)
    return { ok: false, reason: `is ${bytes} bytes long (UTF-8); at most ${MAX_PATH_BYTES} are allowed` };
  const segments = path.split("/");
  for (const [i, seg] of segments.entries()) {
    const shown = seg.length > 40 ? `"${seg.slice(0, 37)}…"` : `"${seg}"`;
    const where = segments.length > 1 ? `segment ${i + 1} (${shown})` : "the name";
    if (seg === "")
      return {
        ok: false,
        reason:
          i === segments.length - 1
            ? 'ends with "/": the last segment must be a file name'
            : 'contains an empty segment ("//")',
      };
    if (seg === "." || seg === "..")
      return { ok: false, reason: `contains a "${seg}" segment; paths stay inside the upload` };
    const n = utf8Bytes(seg);
    if (n > MAX_PATH_SEGMENT_BYTES)
      return {
        ok: false,
        reason: `has ${where} of ${n} bytes (UTF-8); at most ${MAX_PATH_SEGMENT_BYTES} per segment are allowed`,
      };
  }
  return { ok: true, path };
};

/** The schema of an image path in request bodies: refuses what `checkImagePath` refuses, outputs NFC. */
export const ImagePath = z.string().transform((raw, ctx) => {
  const r = checkImagePath(raw);
  if (r.ok) return r.path;
  ctx.addIssue({ code: "custom", message: `file name ${r.reason}` });
  return z.NEVER;
});

/**
 * A folder as the library names it: `""` for the project's root (every image), else its path with
 * a trailing `/` (`cam_a/`, `cam_a/day1/`). A folder typed without the slash gets one; it follows
 * the upload's path rules (checked as the path of a file inside it).
 */
export const FolderPath = z.string().transform((raw, ctx) => {
  const trimmed = raw.trim().replace(/^\/+/, "");
  if (trimmed === "") return "";
  const path = trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
  const r = checkImagePath(`${path}x`);
  if (r.ok) return r.path.slice(0, -1);
  ctx.addIssue({ code: "custom", message: `folder ${r.reason}` });
  return z.NEVER;
});
