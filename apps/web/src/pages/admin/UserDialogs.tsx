import { MIN_PASSWORD_LENGTH, type Role, type User, UserCreate } from "@labelbench/schema";
import { useState } from "react";
import { call } from "../../api/client";
import { FormAlert } from "../../auth/AuthScreen";
import { FormField, InputField } from "../../auth/FormField";
import { type FieldErrors, fieldErrorsFromIssues, splitFormError } from "../../auth/form-errors";
import { ROLE_CHOICES, ROLE_HINT, ROLE_LABEL } from "../../auth/permissions";
import { Dialog } from "../../ui/Dialog";
import { Icon } from "../../ui/icons";
import { Spinner } from "../../ui/parts";
import { toastSuccess } from "../../ui/toast-store";
import { generatePassword } from "./users-model";

const ROLES = ROLE_CHOICES;

/**
 * The admin types or generates an initial password to hand over, so it is shown in clear text
 * (and in a monospace font, where 1/l and 0/O are tellable apart).
 */
function PasswordField({
  label,
  value,
  onChange,
  error,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error: string | undefined;
}) {
  return (
    <FormField
      label={label}
      hint={`At least ${MIN_PASSWORD_LENGTH} characters. Share it with them privately.`}
      error={error}
    >
      {({ id, describedBy }) => (
        <div className="password-row">
          <input
            id={id}
            className="input mono"
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={value}
            aria-describedby={describedBy}
            aria-invalid={error ? true : undefined}
            onChange={(e) => onChange(e.target.value)}
          />
          <button type="button" className="button" onClick={() => onChange(generatePassword())}>
            <Icon name="refresh" size={16} /> Generate
          </button>
        </div>
      )}
    </FormField>
  );
}

export function CreateUserDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (u: User) => void;
}) {
  const [form, setForm] = useState({ name: "", email: "", role: "annotator" as Role, password: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    setFormError(null);
    const checked = UserCreate.safeParse(form);
    if (!checked.success) {
      setErrors(fieldErrorsFromIssues(checked.error.issues));
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const user = await call("createUser", { body: checked.data });
      toastSuccess(`Added ${user.name}`, `${ROLE_LABEL[user.role]} · signs in as ${user.email}`);
      onCreated(user);
    } catch (err) {
      const e = splitFormError(err);
      setErrors(e.fields);
      setFormError(e.form);
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title="Add a user"
      description="They sign in with this email and the initial password you give them."
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy && <Spinner label="Adding" />} Add user
          </button>
        </>
      }
    >
      <div className="form-stack">
        {formError && <FormAlert>{formError}</FormAlert>}
        <InputField
          label="Name"
          error={errors.name}
          autoFocus
          maxLength={100}
          value={form.name}
          placeholder="e.g. Ada Lovelace"
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <InputField
          label="Email"
          error={errors.email}
          type="email"
          autoComplete="off"
          value={form.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
        />
        <FormField label="Role" hint={ROLE_HINT[form.role]} error={errors.role}>
          {({ id, describedBy }) => (
            <select
              id={id}
              className="input select"
              value={form.role}
              aria-describedby={describedBy}
              onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          )}
        </FormField>
        <PasswordField
          label="Initial password"
          value={form.password}
          error={errors.password}
          onChange={(password) => setForm({ ...form, password })}
        />
      </div>
    </Dialog>
  );
}

export function ResetPasswordDialog({
  user,
  isSelf,
  onClose,
  onDone,
}: {
  user: User;
  isSelf: boolean;
  onClose: () => void;
  onDone: (u: User) => void;
}) {
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    setFormError(null);
    if (password.length < MIN_PASSWORD_LENGTH) {
      setErrors({ password: `the password needs at least ${MIN_PASSWORD_LENGTH} characters` });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const updated = await call("updateUser", { params: { userId: user.id }, body: { password } });
      toastSuccess(`New password set for ${user.name}`, "Their open sessions have ended.");
      onDone(updated);
    } catch (err) {
      const e = splitFormError(err);
      setErrors(e.fields);
      setFormError(e.form);
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title={`Reset the password of ${user.name}`}
      description={
        isSelf
          ? "This is your own account: every session ends, this one included, and you sign in again."
          : "Their open sessions end at once; their API tokens keep working."
      }
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy && <Spinner label="Saving" />} Set password
          </button>
        </>
      }
    >
      <div className="form-stack">
        {formError && <FormAlert>{formError}</FormAlert>}
        <PasswordField label="New password" value={password} error={errors.password} onChange={setPassword} />
      </div>
    </Dialog>
  );
}

/** Deactivation is immediate and broad (sessions and tokens), so it is confirmed, and says so. */
export function DeactivateDialog({
  user,
  onClose,
  onConfirm,
  busy,
}: {
  user: User;
  onClose: () => void;
  onConfirm: () => void;
  busy: boolean;
}) {
  return (
    <Dialog
      open
      size="sm"
      tone="danger"
      onClose={onClose}
      title={`Deactivate ${user.name}?`}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button type="button" className="button button--danger" disabled={busy} onClick={onConfirm}>
            {busy && <Spinner label="Deactivating" />} Deactivate
          </button>
        </>
      }
    >
      <p>
        {user.name} ({user.email}) can no longer sign in. Their open sessions end and their API tokens stop
        working at once.
      </p>
      <p className="muted">
        Their annotations stay, with their name on them. You can reactivate the account later; tokens stay
        revoked.
      </p>
    </Dialog>
  );
}

/** Taking one's own admin role away locks one out of this page, so it is confirmed. */
export function DemoteSelfDialog({
  role,
  onClose,
  onConfirm,
  busy,
}: {
  role: Role;
  onClose: () => void;
  onConfirm: () => void;
  busy: boolean;
}) {
  return (
    <Dialog
      open
      size="sm"
      tone="danger"
      onClose={onClose}
      title={`Make yourself ${ROLE_LABEL[role].toLowerCase()}?`}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} autoFocus>
            Stay admin
          </button>
          <button type="button" className="button button--danger" disabled={busy} onClick={onConfirm}>
            {busy && <Spinner label="Saving" />} Change my role
          </button>
        </>
      }
    >
      <p>You will lose access to the users admin at once. Another admin would have to give it back.</p>
    </Dialog>
  );
}
