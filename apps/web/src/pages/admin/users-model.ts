import { MIN_PASSWORD_LENGTH, type Role, type User } from "@labelbench/schema";

/** Letters and digits without look-alikes (0/O, 1/l/I), so a password read aloud or copied by hand survives. */
const ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/**
 * An initial password for an admin to hand over: 16 characters (well above the minimum of
 * MIN_PASSWORD_LENGTH), from a cryptographic source, without modulo bias.
 */
export const generatePassword = (
  randomBytes: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
  length = Math.max(16, MIN_PASSWORD_LENGTH),
): string => {
  const limit = 256 - (256 % ALPHABET.length);
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out += ALPHABET[b % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
};

const ROLE_ORDER: Record<Role, number> = { admin: 0, manager: 1, reviewer: 2, annotator: 3 };

/** Active users first, then by role (admins on top), then by name: the people who matter now are at the top. */
export const sortUsers = (users: readonly User[]): User[] =>
  [...users].sort(
    (a, b) =>
      Number(b.active) - Number(a.active) ||
      ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
      a.name.localeCompare(b.name, "en", { sensitivity: "base" }) ||
      a.id - b.id,
  );

export const replaceUser = (users: readonly User[], updated: User): User[] =>
  users.map((u) => (u.id === updated.id ? updated : u));

/** "1 admin, 1 manager, 2 reviewers, 1 annotator · 1 deactivated" (reviewers only when there are some). */
export const summarizeUsers = (users: readonly User[]): string => {
  const active = users.filter((u) => u.active);
  const by = (r: Role) => active.filter((u) => u.role === r).length;
  const parts = [
    `${by("admin")} admin${by("admin") === 1 ? "" : "s"}`,
    `${by("manager")} manager${by("manager") === 1 ? "" : "s"}`,
    ...(by("reviewer") > 0 ? [`${by("reviewer")} reviewer${by("reviewer") === 1 ? "" : "s"}`] : []),
    `${by("annotator")} annotator${by("annotator") === 1 ? "" : "s"}`,
  ];
  const inactive = users.length - active.length;
  return `${parts.join(", ")}${inactive > 0 ? ` · ${inactive} deactivated` : ""}`;
};
