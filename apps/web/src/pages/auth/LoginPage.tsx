import type { Me } from "@labelbench/schema";
import { type FormEvent, useEffect, useId, useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { ApiError, call } from "../../api/client";
import { AuthScreen, FormAlert, FullScreenLoading, Unreachable } from "../../auth/AuthScreen";
import { readableWait, sentence } from "../../auth/form-errors";
import { publicPageDecision } from "../../auth/guard";
import { useSession } from "../../auth/session-store";
import { Spinner } from "../../ui/parts";
import { messageOf, useToasts } from "../../ui/toast-store";
import { useTitle } from "../../ui/useTitle";

export function LoginPage() {
  useTitle("Sign in");
  const session = useSession((s) => s.session);
  const ensureLoaded = useSession((s) => s.ensureLoaded);
  const reload = useSession((s) => s.reload);
  const signedIn = useSession((s) => s.signedIn);
  const [params] = useSearchParams();
  useEffect(() => ensureLoaded(), [ensureLoaded]);

  const expired = session.status === "anonymous" && session.reason === "expired";
  useEffect(() => {
    // The page the session ended on may have reported "sign in first" failures; they are moot now.
    if (expired) useToasts.setState({ toasts: [] });
  }, [expired]);

  const d = publicPageDecision(session, "login", params.get("next"));
  if (d.kind === "wait") return <FullScreenLoading what="Labelbench" />;
  if (d.kind === "unreachable") return <Unreachable message={d.message} onRetry={() => void reload()} />;
  if (d.kind === "redirect") return <Navigate to={d.to} replace />;
  return (
    <AuthScreen
      title="Sign in"
      lead="Use the email and password your Labelbench admin gave you."
      foot="Forgot your password? An admin can set a new one on the Users page."
    >
      <LoginForm expired={expired} onSignedIn={signedIn} />
    </AuthScreen>
  );
}

function LoginForm({ expired, onSignedIn }: { expired: boolean; onSignedIn: (me: Me) => void }) {
  const emailId = useId();
  const passwordId = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<{ message: string; rateLimited: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!email.trim() || !password) {
      setError({ message: "Enter your email and your password.", rateLimited: false });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // The session store flips to signed-in; the page then redirects to `next`.
      onSignedIn(await call("login", { body: { email, password } }));
    } catch (err) {
      const rateLimited = err instanceof ApiError && err.code === "RATE_LIMITED";
      setError({
        message: sentence(rateLimited ? readableWait(messageOf(err)) : messageOf(err)),
        rateLimited,
      });
      setPassword("");
      setBusy(false);
    }
  };

  return (
    <form className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
      {expired && !error && (
        <FormAlert tone="info">Your session has ended. Sign in again to continue where you were.</FormAlert>
      )}
      {error && <FormAlert tone={error.rateLimited ? "warning" : "error"}>{error.message}</FormAlert>}
      <div className="field">
        <label htmlFor={emailId} className="field__label">
          Email
        </label>
        <input
          id={emailId}
          className="input"
          type="email"
          name="email"
          autoComplete="username"
          autoFocus
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={passwordId} className="field__label">
          Password
        </label>
        <input
          id={passwordId}
          className="input"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      <button
        type="submit"
        className="button button--primary button--large auth-card__submit"
        disabled={busy}
      >
        {busy && <Spinner label="Signing in" />}
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
