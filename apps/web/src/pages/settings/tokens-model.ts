import {
  type ApiToken,
  apiPath,
  type TokenCreated as TokenCreatedSchema,
  type TokenScope as TokenScopeSchema,
} from "@labelbench/schema";
import type { z } from "zod";

/** A token as the server returns it right after creation: the only reply that carries the secret. */
export type TokenCreated = z.infer<typeof TokenCreatedSchema>;
export type TokenScope = z.infer<typeof TokenScopeSchema>;

export const MAX_EXPIRY_DAYS = 3650;

/** The state of the tokens page: the list, and the one secret the server showed us once. */
export interface TokensState {
  tokens: ApiToken[] | null;
  /** The token just created, secret included; gone when dismissed, revoked or the page is left. */
  revealed: TokenCreated | null;
}

export type TokensEvent =
  | { type: "loaded"; tokens: ApiToken[] }
  | { type: "created"; token: TokenCreated }
  | { type: "revoked"; id: number }
  | { type: "dismissSecret" };

export const initialTokensState: TokensState = { tokens: null, revealed: null };

/** The list never holds a secret: only the `revealed` slot does, so it cannot leak into a re-render of the table. */
const withoutSecret = ({ token: _secret, ...rest }: TokenCreated): ApiToken => rest;

export const tokensReducer = (state: TokensState, event: TokensEvent): TokensState => {
  switch (event.type) {
    case "loaded":
      return { ...state, tokens: event.tokens };
    case "created":
      return {
        tokens: [withoutSecret(event.token), ...(state.tokens ?? []).filter((t) => t.id !== event.token.id)],
        revealed: event.token,
      };
    case "revoked":
      return {
        tokens: state.tokens?.filter((t) => t.id !== event.id) ?? null,
        revealed: state.revealed?.id === event.id ? null : state.revealed,
      };
    case "dismissSecret":
      return { ...state, revealed: null };
  }
};

export type ExpiryInput = { ok: true; days: number | null } | { ok: false; message: string };

/** The "expires after N days" box: empty means never; otherwise a whole number of days in range. */
export const parseExpiryDays = (raw: string): ExpiryInput => {
  const t = raw.trim();
  if (t === "") return { ok: true, days: null };
  if (!/^\d+$/.test(t)) return { ok: false, message: "enter a whole number of days, or leave it empty" };
  const days = Number(t);
  if (days < 1 || days > MAX_EXPIRY_DAYS)
    return { ok: false, message: `between 1 and ${MAX_EXPIRY_DAYS} days, or empty for no expiry` };
  return { ok: true, days };
};

export const isExpired = (token: Pick<ApiToken, "expiresAt">, now: number): boolean =>
  token.expiresAt !== null && Date.parse(token.expiresAt) <= now;

/** The exact command the README documents; `$TOKEN` stays a shell variable so the secret is not in the shell history. */
/**
 * A download with a token, as shown on the tokens page. `--fail`: a refused token (401) or a missing
 * project (404) exits non-zero with the status, instead of saving the JSON error as `dataset.zip`.
 */
export const curlExample = (origin: string, projectId: number | null): string =>
  `curl --fail -H "Authorization: Bearer $TOKEN" -o dataset.zip "${origin.replace(/\/+$/, "")}${
    // Decoded so the placeholder reads as typed; a real id is digits either way.
    decodeURIComponent(apiPath("exportDataset", { projectId: projectId ?? "<id>" }))
  }?format=coco"`;

/** The same, runnable as pasted: sets TOKEN first. */
export const curlScript = (origin: string, projectId: number | null, token: string): string =>
  `TOKEN=${token}\n${curlExample(origin, projectId)}`;
