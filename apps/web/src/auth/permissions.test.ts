import { api, type EndpointName, POLICY, Role, roleMayCall } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { ACTION_ENDPOINTS, type Action, can } from "./permissions";

const ROLES = Role.options;
const ENDPOINTS = Object.keys(api) as EndpointName[];
const PROJECTS = [{ annotatorsCanExport: true }, { annotatorsCanExport: false }];
const ACTIONS = Object.keys(ACTION_ENDPOINTS) as Action[];
const guardedBy = new Map<EndpointName, Action>(
  ACTIONS.flatMap((a) => ACTION_ENDPOINTS[a].map((e): [EndpointName, Action] => [e, a])),
);

describe("can, against the server's POLICY", () => {
  it.each(ROLES)("%s: every guarded endpoint is allowed exactly when its control shows", (role) => {
    for (const name of ENDPOINTS) {
      const action = guardedBy.get(name);
      if (!action) continue;
      for (const project of PROJECTS) {
        const server = roleMayCall(POLICY[name], role, { member: true, ...project });
        expect(can(role, action, project), `${role} ${action} (${name}) ${JSON.stringify(project)}`).toBe(
          server,
        );
      }
    }
  });

  it.each(ROLES)("%s: every endpoint no control guards is one the server allows a member", (role) => {
    for (const name of ENDPOINTS) {
      if (guardedBy.has(name)) continue;
      for (const project of PROJECTS) {
        expect(roleMayCall(POLICY[name], role, { member: true, ...project }), `${role} ${name}`).toBe(true);
      }
    }
  });
});

describe("can", () => {
  it("gives admins everything", () => {
    for (const a of ACTIONS) expect(can("admin", a)).toBe(true);
  });

  it("gives managers everything but the users admin", () => {
    expect(can("manager", "createProject")).toBe(true);
    expect(can("manager", "manageProject")).toBe(true);
    expect(can("manager", "export", { annotatorsCanExport: false })).toBe(true);
    expect(can("manager", "manageUsers")).toBe(false);
  });

  it("keeps annotators away from a project's setup and from creating projects", () => {
    expect(can("annotator", "createProject")).toBe(false);
    expect(can("annotator", "manageProject")).toBe(false);
    expect(can("annotator", "manageUsers")).toBe(false);
  });

  it("lets reviewers, managers and admins review, never annotators", () => {
    expect(can("reviewer", "review")).toBe(true);
    expect(can("manager", "review")).toBe(true);
    expect(can("annotator", "review")).toBe(false);
    expect(can("reviewer", "manageProject")).toBe(false);
  });

  it("lets annotators export only where the project allows it", () => {
    expect(can("annotator", "export", { annotatorsCanExport: true })).toBe(true);
    expect(can("annotator", "export", { annotatorsCanExport: false })).toBe(false);
    expect(can("annotator", "export")).toBe(false);
  });
});
