import { type ApiToken, TokenScope as TokenScopeSchema } from "@labelbench/schema";
import { useEffect, useReducer, useState } from "react";
import { call } from "../../api/client";
import { FormAlert } from "../../auth/AuthScreen";
import { FormField } from "../../auth/FormField";
import { type FieldErrors, splitFormError } from "../../auth/form-errors";
import { Dialog } from "../../ui/Dialog";
import { formatRelative } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading, Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { copyText } from "./clipboard";
import {
  curlExample,
  curlScript,
  initialTokensState,
  isExpired,
  parseExpiryDays,
  type TokenCreated,
  type TokenScope,
  tokensReducer,
} from "./tokens-model";
import "../../auth/accounts.css";

const SCOPE_TEXT: Record<TokenScope, string> = {
  read: "Read: list projects, download images and exports",
  write: "Read and write: also upload, annotate and change what your role allows",
};

const copy = async (text: string, what: string) => {
  if (await copyText(text)) toastSuccess(`${what} copied`);
  else
    toastError(`Could not copy the ${what.toLowerCase()}`, new Error("select the text and copy it by hand"));
};

export function TokensPage() {
  useTitle("API tokens");
  const [state, dispatch] = useReducer(tokensReducer, initialTokensState);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const list = useAsync((signal) => call("listTokens", { signal }), [], "Could not load your API tokens");
  const projects = useAsync((signal) => call("listProjects", { signal }), [], "Could not load projects");
  const [exampleProject, setExampleProject] = useState<number | null>(null);
  const projectItems = projects.data?.items ?? [];
  const origin = window.location.origin;
  const exampleId = exampleProject ?? projectItems[0]?.id ?? null;

  useEffect(() => {
    if (list.data) dispatch({ type: "loaded", tokens: list.data.items });
  }, [list.data]);

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <h1 className="page-title">API tokens</h1>
          <p className="page-subtitle">
            Personal tokens let scripts and training pipelines call the Labelbench API as you, with your
            role's rights. Send one as <code>Authorization: Bearer &lt;token&gt;</code>.
          </p>
        </div>
      </div>

      <div className="section-stack">
        {state.revealed && (
          <RevealedToken
            token={state.revealed}
            script={curlScript(origin, exampleId, state.revealed.token)}
            onDismiss={() => dispatch({ type: "dismissSecret" })}
          />
        )}

        <CreateTokenForm onCreated={(token) => dispatch({ type: "created", token })} />

        <section className="card card--flush" aria-labelledby="tokens-title">
          <div className="card__head card__head--padded">
            <h2 id="tokens-title" className="card__title">
              Your tokens
            </h2>
          </div>
          {state.tokens === null ? (
            list.error ? (
              <ErrorState
                title="Could not load your API tokens"
                message={messageOf(list.error)}
                onRetry={list.reload}
              />
            ) : (
              <Loading what="tokens" />
            )
          ) : state.tokens.length === 0 ? (
            <EmptyState icon="key" title="No tokens yet">
              Create one above to download exports or drive Labelbench from a script.
            </EmptyState>
          ) : (
            <TokenTable tokens={state.tokens} onRevoke={setRevoking} />
          )}
        </section>

        <section className="card" aria-labelledby="usage-title">
          <div className="card__head">
            <h2 id="usage-title" className="card__title">
              Download a dataset with a token
            </h2>
            {projectItems.length > 1 && (
              <label className="inline-select">
                <span className="muted">Project</span>
                <select
                  className="input select select--compact"
                  value={exampleId ?? ""}
                  onChange={(e) => setExampleProject(Number(e.target.value))}
                >
                  {projectItems.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
          <p className="muted">
            Put the token in <code>TOKEN</code> (e.g. <code>export TOKEN=lbt_…</code>), then:
          </p>
          <CodeBlock text={curlExample(origin, exampleId)} what="Command" />
        </section>
      </div>

      {revoking && (
        <RevokeDialog
          token={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={(id) => {
            dispatch({ type: "revoked", id });
            setRevoking(null);
          }}
        />
      )}
    </main>
  );
}

function CodeBlock({ text, what }: { text: string; what: string }) {
  return (
    <pre className="code-block">
      <code>{text}</code>
      <button
        type="button"
        className="icon-button"
        aria-label={`Copy ${what.toLowerCase()}`}
        title="Copy"
        onClick={() => void copy(text, what)}
      >
        <Icon name="copy" size={16} />
      </button>
    </pre>
  );
}

function RevealedToken({
  token,
  script,
  onDismiss,
}: {
  token: TokenCreated;
  script: string;
  onDismiss: () => void;
}) {
  return (
    <section className="card secret-panel" aria-labelledby="secret-title">
      <div className="card__head">
        <h2 id="secret-title" className="card__title">
          <Icon name="check" size={18} /> Token "{token.name}" created
        </h2>
      </div>
      <FormAlert tone="warning">
        Copy it now: this is the only time it is shown. Labelbench keeps only a hash of it.
      </FormAlert>
      <div className="secret-row">
        <code data-testid="new-token">{token.token}</code>
        <button
          type="button"
          className="button button--primary"
          onClick={() => void copy(token.token, "Token")}
        >
          <Icon name="copy" size={16} /> Copy
        </button>
      </div>
      <p className="muted">Or paste this into a shell to download a COCO export with it:</p>
      <CodeBlock text={script} what="Command" />
      <div className="secret-panel__foot">
        <button type="button" className="button" onClick={onDismiss}>
          I have stored it
        </button>
      </div>
    </section>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (t: TokenCreated) => void }) {
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState("90");
  const [scope, setScope] = useState<TokenScope>("read");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    setFormError(null);
    const days = parseExpiryDays(expiry);
    const local: FieldErrors = {};
    if (!name.trim()) local.name = "give the token a name, e.g. the machine or script that uses it";
    if (!days.ok) local.expiresInDays = days.message;
    setErrors(local);
    if (!days.ok || local.name) return;
    setBusy(true);
    try {
      const token = await call("createToken", {
        body: { name: name.trim(), scope, expiresInDays: days.days },
      });
      onCreated(token);
      setName("");
    } catch (err) {
      const refusal = splitFormError(err);
      setErrors(refusal.fields);
      setFormError(refusal.form);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="create-token-title">
      <div className="card__head">
        <h2 id="create-token-title" className="card__title">
          Create a token
        </h2>
      </div>
      <form
        className="form-stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {formError && <FormAlert>{formError}</FormAlert>}
        <div className="inline-form">
          <FormField label="Name" error={errors.name} hint="What uses it, e.g. “training server”.">
            {({ id, describedBy }) => (
              <input
                id={id}
                className="input"
                maxLength={100}
                value={name}
                aria-describedby={describedBy}
                aria-invalid={errors.name ? true : undefined}
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </FormField>
          <FormField
            label="Expires after (days)"
            optional
            error={errors.expiresInDays}
            hint="Empty: never expires."
          >
            {({ id, describedBy }) => (
              <input
                id={id}
                className="input"
                inputMode="numeric"
                placeholder="never"
                value={expiry}
                aria-describedby={describedBy}
                aria-invalid={errors.expiresInDays ? true : undefined}
                onChange={(e) => setExpiry(e.target.value)}
              />
            )}
          </FormField>
          <FormField label="Scope" error={errors.scope} hint={SCOPE_TEXT[scope]}>
            {({ id, describedBy }) => (
              <select
                id={id}
                className="input select"
                value={scope}
                aria-describedby={describedBy}
                onChange={(e) => setScope(TokenScopeSchema.parse(e.target.value))}
              >
                <option value="read">Read only</option>
                <option value="write">Read and write</option>
              </select>
            )}
          </FormField>
        </div>
        <div>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? <Spinner label="Creating" /> : <Icon name="key" size={16} />} Create token
          </button>
        </div>
      </form>
    </section>
  );
}

function TokenTable({ tokens, onRevoke }: { tokens: ApiToken[]; onRevoke: (t: ApiToken) => void }) {
  const now = Date.now();
  return (
    <table className="data-table" aria-labelledby="tokens-title">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Scope</th>
          <th scope="col">Token</th>
          <th scope="col">Created</th>
          <th scope="col">Expires</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => {
          const expired = isExpired(t, now);
          return (
            <tr key={t.id} className={expired ? "is-inactive" : undefined} data-token={t.name}>
              <td className="person__name">{t.name}</td>
              <td>
                <span className={`scope-tag${t.scope === "write" ? " scope-tag--write" : ""}`}>
                  {t.scope === "write" ? "Read and write" : "Read only"}
                </span>
              </td>
              <td className="mono muted">{t.prefix}…</td>
              <td className="muted" title={new Date(t.createdAt).toLocaleString()}>
                {formatRelative(t.createdAt, now)}
              </td>
              <td>
                {t.expiresAt === null ? (
                  <span className="muted">Never</span>
                ) : expired ? (
                  <span className="pill pill--warn">Expired {formatRelative(t.expiresAt, now)}</span>
                ) : (
                  <span title={new Date(t.expiresAt).toLocaleString()}>
                    {formatRelative(t.expiresAt, now)}
                  </span>
                )}
              </td>
              <td className="muted">{t.lastUsedAt ? formatRelative(t.lastUsedAt, now) : "Never used"}</td>
              <td className="data-table__actions">
                <button type="button" className="button button--small" onClick={() => onRevoke(t)}>
                  Revoke
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function RevokeDialog({
  token,
  onClose,
  onRevoked,
}: {
  token: ApiToken;
  onClose: () => void;
  onRevoked: (id: number) => void;
}) {
  const [busy, setBusy] = useState(false);
  const revoke = async () => {
    setBusy(true);
    try {
      await call("deleteToken", { params: { tokenId: token.id } });
      toastSuccess(`Revoked "${token.name}"`, "Requests with it are refused from now on.");
      onRevoked(token.id);
    } catch (err) {
      toastError(`Could not revoke "${token.name}"`, err);
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      size="sm"
      tone="danger"
      onClose={onClose}
      title={`Revoke "${token.name}"?`}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} autoFocus>
            Keep it
          </button>
          <button
            type="button"
            className="button button--danger"
            disabled={busy}
            onClick={() => void revoke()}
          >
            {busy && <Spinner label="Revoking" />} Revoke token
          </button>
        </>
      }
    >
      <p>
        Scripts using <span className="mono">{token.prefix}…</span> stop working at once. This cannot be
        undone; create a new token to replace it.
      </p>
    </Dialog>
  );
}
