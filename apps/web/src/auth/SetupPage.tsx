import { SetupRequest } from "@labelbench/schema";
import { type FormEvent, useEffect, useState } from "react";
import { Navigate } from "react-router";
import { ApiError, call } from "../api/client";
import { Spinner } from "../ui/parts";
import { useTitle } from "../ui/useTitle";
import { AuthScreen, FormAlert, FullScreenLoading, Unreachable } from "./AuthScreen";
import { InputField } from "./FormField";
import { type FieldErrors, newPasswordFormErrors, sentence, splitFormError } from "./form-errors";
import { publicPageDecision } from "./guard";
import { NewPasswordFields } from "./NewPasswordFields";
import { useSession } from "./session-store";

/** Shown once, while the server has no admin: creates the first admin and signs them in. */
export function SetupPage() {
  useTitle("Set up");
  const session = useSession((s) => s.session);
  const ensureLoaded = useSession((s) => s.ensureLoaded);
  const reload = useSession((s) => s.reload);
  useEffect(() => ensureLoaded(), [ensureLoaded]);

  const d = publicPageDecision(session, "setup", null);
  if (d.kind === "wait") return <FullScreenLoading what="Labelbench" />;
  if (d.kind === "unreachable") return <Unreachable message={d.message} onRetry={() => void reload()} />;
  if (d.kind === "redirect") return <Navigate to={d.to} replace />;
  return (
    <AuthScreen
      wide
      title="Welcome to Labelbench"
      lead="Create the admin account. This page appears only once, while the server has no admin; the admin then adds everyone else."
      foot={
        <>
          Installing without a browser? Start the server with <code>LABELBENCH_ADMIN_EMAIL</code> and{" "}
          <code>LABELBENCH_ADMIN_PASSWORD</code> set instead.
        </>
      }
    >
      <SetupForm />
    </AuthScreen>
  );
}

function SetupForm() {
  const signedIn = useSession((s) => s.signedIn);
  const reload = useSession((s) => s.reload);
  const [form, setForm] = useState({ name: "", email: "", password: "", confirm: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    // The shared schema checks what the server will check, so mistakes show before a round trip.
    const checked = SetupRequest.safeParse({
      name: form.name.trim() || undefined,
      email: form.email,
      password: form.password,
    });
    const issues = checked.success ? [] : checked.error.issues;
    const local = newPasswordFormErrors(issues, "password", form.password, form.confirm);
    setErrors(local);
    if (!checked.success || local.confirm) return;
    setBusy(true);
    try {
      signedIn(await call("setup", { body: checked.data }));
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === "CONFLICT") {
        // Someone else finished setup meanwhile (or the admin came from the environment).
        setFormError(`${sentence(err.message)} Taking you to the sign-in page…`);
        setTimeout(() => void reload(), 2500);
        return;
      }
      const refusal = splitFormError(err);
      setErrors(refusal.fields);
      setFormError(refusal.form);
    }
  };

  return (
    <form className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
      {formError && <FormAlert>{formError}</FormAlert>}
      <InputField
        label="Your name"
        hint="Shown next to the annotations you make."
        error={errors.name}
        autoComplete="name"
        autoFocus
        placeholder="Admin"
        maxLength={100}
        value={form.name}
        onChange={set("name")}
      />
      <InputField
        label="Email"
        hint="You sign in with it."
        error={errors.email}
        type="email"
        autoComplete="username"
        required
        value={form.email}
        onChange={set("email")}
      />
      <NewPasswordFields
        password={form.password}
        confirm={form.confirm}
        errors={errors}
        onPassword={set("password")}
        onConfirm={set("confirm")}
      />
      <button
        type="submit"
        className="button button--primary button--large auth-card__submit"
        disabled={busy}
      >
        {busy && <Spinner label="Creating the admin" />}
        {busy ? "Creating…" : "Create admin and sign in"}
      </button>
    </form>
  );
}
