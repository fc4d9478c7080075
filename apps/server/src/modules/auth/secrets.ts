import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

/** Session ids and API tokens: 256 random bits, stored only as sha256 (fast is fine at that entropy). */
export const newSecret = (prefix = ""): string => `${prefix}${randomBytes(32).toString("base64url")}`;
export const digest = (secret: string): string => createHash("sha256").update(secret).digest("hex");

export const hashPassword = (password: string): Promise<string> => hash(password);

// Verifying against a real hash of a random password when the email is unknown keeps the timing of
// "no such user" and "wrong password" the same, so login replies reveal nothing.
let dummyHash: Promise<string> | null = null;
export const verifyPassword = async (storedHash: string | null, password: string): Promise<boolean> => {
  if (storedHash === null) {
    dummyHash ??= hash(newSecret());
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
};
