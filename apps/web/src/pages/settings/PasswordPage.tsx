import { PasswordChange } from "@labelbench/schema";
import { type FormEvent, useState } from "react";
import { call } from "../../api/client";
import { FormAlert } from "../../auth/AuthScreen";
import { InputField } from "../../auth/FormField";
import { type FieldErrors, newPasswordFormErrors, splitFormError } from "../../auth/form-errors";
import { NewPasswordFields } from "../../auth/NewPasswordFields";
import { Spinner } from "../../ui/parts";
import { toastSuccess } from "../../ui/toast-store";
import { useTitle } from "../../ui/useTitle";
import "../../auth/accounts.css";

const EMPTY = { currentPassword: "", newPassword: "", confirm: "" };

/** Change your own password: the current one proves it is you; other browsers are signed out. */
export function PasswordPage() {
  useTitle("Password");
  const [form, setForm] = useState(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const checked = PasswordChange.safeParse({
      currentPassword: form.currentPassword,
      newPassword: form.newPassword,
    });
    const issues = checked.success ? [] : checked.error.issues;
    const local = newPasswordFormErrors(issues, "newPassword", form.newPassword, form.confirm);
    setErrors(local);
    if (!checked.success || local.confirm) return;
    setBusy(true);
    try {
      await call("changePassword", { body: checked.data });
      setForm(EMPTY);
      toastSuccess("Password changed", "Other browsers signed in as you have been signed out.");
    } catch (err) {
      const refusal = splitFormError(err);
      setErrors(refusal.fields);
      setFormError(refusal.form);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="page page--narrow">
      <div className="page-header">
        <div>
          <h1 className="page-title">Password</h1>
          <p className="page-subtitle">
            Changing it signs you out everywhere else. API tokens keep working; revoke them on the API tokens
            page.
          </p>
        </div>
      </div>
      <section className="card">
        <form className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
          {formError && <FormAlert>{formError}</FormAlert>}
          <InputField
            label="Current password"
            error={errors.currentPassword}
            type="password"
            autoComplete="current-password"
            required
            autoFocus
            value={form.currentPassword}
            onChange={set("currentPassword")}
          />
          <NewPasswordFields
            label="New password"
            passwordKey="newPassword"
            password={form.newPassword}
            confirm={form.confirm}
            errors={errors}
            onPassword={set("newPassword")}
            onConfirm={set("confirm")}
          />
          <div>
            <button type="submit" className="button button--primary" disabled={busy}>
              {busy && <Spinner label="Changing the password" />}
              {busy ? "Changing…" : "Change password"}
            </button>
          </div>
        </form>
      </section>
    </main>
  );
}
