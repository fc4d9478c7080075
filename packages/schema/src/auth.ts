import { z } from "zod";
import { Id, Timestamp } from "./domain.js";
import { MAX_USER_NAME_LENGTH } from "./limits.js";

/** `reviewer`: the QC analyst, who reviews (and annotates) in the projects they are a member of. */
export const Role = z.enum(["admin", "manager", "reviewer", "annotator"]);
export type Role = z.infer<typeof Role>;

export const MIN_PASSWORD_LENGTH = 10;
const Email = z.string().trim().toLowerCase().pipe(z.email("must be an email address").max(254));
const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `password must have at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256);

export const User = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  active: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type User = z.infer<typeof User>;

/** `codeRequired`: this request must bring the setup code from the server log (it is not from the server's own machine). */
export const SetupStatus = z.object({ required: z.boolean(), codeRequired: z.boolean() });
export type SetupStatus = z.infer<typeof SetupStatus>;
export const SetupRequest = z.object({
  email: Email,
  name: z.string().trim().min(1).max(MAX_USER_NAME_LENGTH).default("Admin"),
  password: Password,
  /** The one-time code the server prints at start; needed unless setting up from the server's machine. */
  code: z.string().trim().max(64).optional(),
});
export const LoginRequest = z.object({
  email: z.string().trim().toLowerCase().max(254),
  password: z.string().max(256),
});
export const Me = z.object({
  user: User,
  via: z.enum(["session", "token"]),
  scope: z.enum(["read", "write"]),
});
export type Me = z.infer<typeof Me>;

export const UserCreate = z.object({
  email: Email,
  name: z.string().trim().min(1).max(MAX_USER_NAME_LENGTH),
  role: Role.default("annotator"),
  password: Password,
});
/** A signed-in user changing their own password: the current one proves it is them. */
export const PasswordChange = z.object({
  currentPassword: z.string().min(1, "enter your current password").max(256),
  newPassword: Password,
});
export type PasswordChange = z.infer<typeof PasswordChange>;

export const UserPatch = z.object({
  name: z.string().trim().min(1).max(MAX_USER_NAME_LENGTH).optional(),
  role: Role.optional(),
  active: z.boolean().optional(),
  password: Password.optional(),
});

export const Member = z.object({
  userId: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  addedAt: Timestamp,
});
export type Member = z.infer<typeof Member>;
export const MemberAdd = z.object({ userId: Id });
export const MemberRemoveQuery = z.object({ userId: z.coerce.number().int().positive() });

export const TokenScope = z.enum(["read", "write"]);
export const ApiToken = z.object({
  id: Id,
  name: z.string(),
  scope: TokenScope,
  prefix: z.string().describe("first characters of the token, to recognise it"),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  lastUsedAt: Timestamp.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;
export const TokenCreate = z.object({
  name: z.string().trim().min(1).max(MAX_USER_NAME_LENGTH),
  scope: TokenScope.default("read"),
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
});
export const TokenCreated = ApiToken.extend({ token: z.string().describe("shown once; store it now") });
