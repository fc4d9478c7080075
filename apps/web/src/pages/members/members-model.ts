import type { Member, User } from "@labelbench/schema";

const byName = (a: { name: string; email: string }, b: { name: string; email: string }) =>
  a.name.localeCompare(b.name, "en", { sensitivity: "base" }) || a.email.localeCompare(b.email);

/** Who can be added: active accounts that are not members yet, alphabetically. */
export const candidates = (users: readonly User[], members: readonly Member[]): User[] => {
  const inside = new Set(members.map((m) => m.userId));
  return users.filter((u) => u.active && !inside.has(u.id)).sort(byName);
};

export const sortMembers = (members: readonly Member[]): Member[] => [...members].sort(byName);

export const withMember = (members: readonly Member[], added: Member): Member[] =>
  sortMembers([...members.filter((m) => m.userId !== added.userId), added]);

export const withoutMember = (members: readonly Member[], userId: number): Member[] =>
  members.filter((m) => m.userId !== userId);
