import { SetupRequest } from "@labelbench/schema";
import { type FormEvent, useEffect, useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { ApiError, call } from "../../api/client";
import { AuthScreen, FormAlert, FullScreenLoading, Unreachable } from "../../auth/AuthScreen";
import { InputField } from "../../auth/FormField";
import { type FieldErrors, newPasswordFormErrors, sentence, splitFormError } from "../../auth/form-errors";
import { publicPageDecision } from "../../auth/guard";
import { NewPasswordFields } from "../../auth/NewPasswordFields";
import { useSession } from "../../auth/session-store";
import { Spinner } from "../../ui/parts";
import { useTitle } from "../../ui/useTitle";

/** Shown once, while the server has no admin: creates the first admin and signs them in. */
export function SetupPage() {
  useTitle("Set up");
  const session = useSession((s) => s.session);
  const ensureLoaded = useSession((s) => s.ensureLoaded);
  const reload = useSession((s) => s.reload);
  useEffect(() => ensureLoaded(), [ensureLoaded]);
  // Sent here by an API answer (the database is new): ask whether this browser needs the code.
  const codeUnknown = session.status === "setup" && session.codeRequired === null;
  useEffect(() => {
    if (codeUnknown) void reload();
  }, [codeUnknown, reload]);

  const d = publicPageDecision(session, "setup", null);
  if (d.kind === "wait" || codeUnknown) return <FullScreenLoading what="Labelbench" />;
  if (d.kind === "unreachable") return <Unreachable message={d.message} onRetry={() => void reload()} />;
  if (d.kind === "redirect") return <Navigate to={d.to} replace />;
  const codeRequired = session.status === "setup" && session.codeRequired === true;
  return (
    <AuthScreen
      wide
      title="Welcome to Labelbench"
      lead={
        codeRequired
          ? "Create the admin account. You are not on the server's own machine, so first prove you run it: enter the setup code from its log. This page appears only once; the admin then adds everyone else."
          : "Create the admin account. This page appears only once, while the server has no admin; the admin then adds everyone else."
      }
      foot={
        <>
          Installing without a browser? Start the server with <code>LABELBENCH_ADMIN_EMAIL</code> and{" "}
          <code>LABELBENCH_ADMIN_PASSWORD</code> set instead.
        </>
      }
    >
      <SetupForm codeRequired={codeRequired} />
    </AuthScreen>
  );
}

/** Where the setup code is, said the same way on the page and by the server. */
const CODE_HINT =
  "Labelbench prints it in its log at every start until setup is done: look for the line with “setup code”.";

function SetupForm({ codeRequired }: { codeRequired: boolean }) {
  const signedIn = useSession((s) => s.signedIn);
  const reload = useSession((s) => s.reload);
  // The log's link may carry the code (`/setup?code=...`), like Jupyter's token link.
  const [params] = useSearchParams();
  const [form, setForm] = useState({
    code: params.get("code") ?? "",
    name: "",
    email: "",
    password: "",
    confirm: "",
  });
  // Shown when the server said so up front, or when it refuses a setup for want of the code.
  const [askCode, setAskCode] = useState(codeRequired);
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
      code: askCode ? form.code : undefined,
    });
    const issues = checked.success ? [] : checked.error.issues;
    const local = newPasswordFormErrors(issues, "password", form.password, form.confirm);
    if (askCode && !form.code.trim()) local.code ??= "enter the setup code from the server log";
    setErrors(local);
    if (!checked.success || local.confirm || local.code) return;
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
      if (refusal.fields.code) setAskCode(true);
      setErrors(refusal.fields);
      setFormError(refusal.form);
    }
  };

  return (
    <form className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
      {formError && <FormAlert>{formError}</FormAlert>}
      {askCode && (
        <InputField
          label="Setup code"
          hint={CODE_HINT}
          error={errors.code}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          autoFocus={!form.code}
          required
          placeholder="XXXX-XXXX-XXXX-XXXX"
          maxLength={64}
          value={form.code}
          onChange={set("code")}
        />
      )}
      <InputField
        label="Your name"
        hint="Shown next to the annotations you make."
        error={errors.name}
        autoComplete="name"
        autoFocus={!askCode || Boolean(form.code)}
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
