import { z } from "zod";
import {
  ApiToken,
  LoginRequest,
  Me,
  Member,
  MemberAdd,
  MemberRemoveQuery,
  PasswordChange,
  SetupRequest,
  SetupStatus,
  TokenCreate,
  TokenCreated,
  User,
  UserCreate,
  UserPatch,
} from "./auth.js";
import { IdParam } from "./domain.js";
import { endpoint } from "./endpoint.js";

const ProjectParams = z.object({ projectId: IdParam });

/** Accounts, sessions, membership and API tokens (merged into `api` by index.ts). */
export const authApi = {
  setupStatus: endpoint({
    method: "GET",
    path: "/setup",
    summary: "Whether the first admin still has to be created",
    response: SetupStatus,
  }),
  setup: endpoint({
    method: "POST",
    path: "/setup",
    summary: "Create the first admin (only while none exists); signs them in",
    body: SetupRequest,
    response: Me,
    status: 201,
  }),
  login: endpoint({
    method: "POST",
    path: "/auth/login",
    summary: "Sign in with email and password; sets the session cookie",
    body: LoginRequest,
    response: Me,
  }),
  logout: endpoint({ method: "POST", path: "/auth/logout", summary: "End this session", status: 204 }),
  me: endpoint({ method: "GET", path: "/auth/me", summary: "Who is signed in", response: Me }),
  changePassword: endpoint({
    method: "POST",
    path: "/auth/password",
    summary: "Change your own password (web session only); your other sessions end",
    body: PasswordChange,
    status: 204,
  }),
  listUsers: endpoint({
    method: "GET",
    path: "/users",
    summary: "All users (admin)",
    response: z.object({ items: z.array(User) }),
  }),
  createUser: endpoint({
    method: "POST",
    path: "/users",
    summary: "Create a user with a role and an initial password (admin)",
    body: UserCreate,
    response: User,
    status: 201,
  }),
  updateUser: endpoint({
    method: "PATCH",
    path: "/users/:userId",
    summary: "Rename, change role, (de)activate or reset the password of a user (admin)",
    params: z.object({ userId: IdParam }),
    body: UserPatch,
    response: User,
  }),
  listMembers: endpoint({
    method: "GET",
    path: "/projects/:projectId/members",
    summary: "Members of a project",
    params: ProjectParams,
    response: z.object({ items: z.array(Member) }),
  }),
  addMember: endpoint({
    method: "POST",
    path: "/projects/:projectId/members",
    summary: "Add a user to a project",
    params: ProjectParams,
    body: MemberAdd,
    response: Member,
    status: 201,
  }),
  removeMember: endpoint({
    method: "DELETE",
    path: "/projects/:projectId/members",
    summary: "Remove a user from a project (?userId=)",
    params: ProjectParams,
    query: MemberRemoveQuery,
    status: 204,
  }),
  listTokens: endpoint({
    method: "GET",
    path: "/tokens",
    summary: "Your API tokens (secrets are never shown again)",
    response: z.object({ items: z.array(ApiToken) }),
  }),
  createToken: endpoint({
    method: "POST",
    path: "/tokens",
    summary: "Create a personal API token; the secret is in this reply only",
    body: TokenCreate,
    response: TokenCreated,
    status: 201,
  }),
  deleteToken: endpoint({
    method: "DELETE",
    path: "/tokens/:tokenId",
    summary: "Revoke one of your API tokens",
    params: z.object({ tokenId: IdParam }),
    status: 204,
  }),
} as const;
