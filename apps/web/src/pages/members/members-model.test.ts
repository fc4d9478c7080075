import type { Member, User } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { candidates, withMember, withoutMember } from "./members-model";

const T = "2026-01-01T00:00:00.000Z";
const user = (id: number, name: string, active = true): User => ({
  id,
  email: `${name.toLowerCase()}@example.com`,
  name,
  role: "annotator",
  active,
  createdAt: T,
  updatedAt: T,
});
const member = (u: User): Member => ({
  userId: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  addedAt: T,
});

describe("candidates", () => {
  it("offers active users who are not members yet, alphabetically", () => {
    const ann = user(1, "Ann");
    const users = [user(4, "zoe"), ann, user(2, "Bob", false), user(3, "carl")];
    expect(candidates(users, [member(ann)]).map((u) => u.name)).toEqual(["carl", "zoe"]);
  });
});

describe("withMember / withoutMember", () => {
  it("adds once, sorted, and removes by user id", () => {
    const a = member(user(1, "Ann"));
    const z = member(user(2, "Zed"));
    const list = withMember(withMember([z], a), a);
    expect(list.map((m) => m.name)).toEqual(["Ann", "Zed"]);
    expect(withoutMember(list, 2).map((m) => m.name)).toEqual(["Ann"]);
  });
});
