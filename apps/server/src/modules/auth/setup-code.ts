import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import type { TrustProxy } from "../../config.js";

/**
 * A fresh install listens on every interface with its setup page open, so whoever reaches it first
 * could make themselves admin. Like Jupyter's token, a one-time code printed in the server log
 * proves the person setting up can read that log; only requests from this very machine skip it.
 */

// Crockford's base32 without I, L, O, U: nothing to misread when typing the code from a terminal.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** 16 characters, 80 random bits, shown as `XXXX-XXXX-XXXX-XXXX`; a new one at every start. */
export const newSetupCode = (): string => {
  let code = "";
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) code += "-";
    code += ALPHABET[randomInt(ALPHABET.length)];
  }
  return code;
};

/** Case, spaces and dashes do not matter; the letters a person may misread count as the digits. */
const canonical = (code: string): string =>
  code.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");

const sha256 = (s: string) => createHash("sha256").update(s).digest();

export const setupCodeMatches = (expected: string, given: string): boolean =>
  timingSafeEqual(sha256(canonical(expected)), sha256(canonical(given)));

const isLoopback = (address: string | undefined): boolean =>
  address !== undefined && (address === "::1" || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address));

/** Headers a proxy adds: a request carrying any of them was forwarded from somewhere else. */
const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip"] as const;

/**
 * Whether a request surely comes from a browser or script on this machine. A reverse proxy on the
 * same machine also connects from loopback, so: with `trust proxy` configured (the operator says a
 * proxy is in front) nothing counts as local, and a loopback request with forwarding headers is not
 * local either. The socket's own address is read, never `req.ip`, which those headers can set.
 */
export const isDirectLocalRequest = (req: Request, trustProxy: TrustProxy): boolean =>
  trustProxy === false &&
  isLoopback(req.socket.remoteAddress) &&
  FORWARDING_HEADERS.every((h) => req.headers[h] === undefined);
