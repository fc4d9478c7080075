import { MIN_PASSWORD_LENGTH } from "@labelbench/schema";
import type { ChangeEvent } from "react";
import { InputField } from "./FormField";
import type { FieldErrors } from "./form-errors";

/** "Password" + "Confirm password", as first setup and changing your own password both ask. */
export function NewPasswordFields({
  label = "Password",
  password,
  confirm,
  errors,
  onPassword,
  onConfirm,
  passwordKey = "password",
}: {
  label?: string;
  password: string;
  confirm: string;
  errors: FieldErrors;
  onPassword: (e: ChangeEvent<HTMLInputElement>) => void;
  onConfirm: (e: ChangeEvent<HTMLInputElement>) => void;
  /** Which field name the server's errors use for the new password. */
  passwordKey?: string;
}) {
  return (
    <>
      <InputField
        label={label}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        error={errors[passwordKey]}
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onChange={onPassword}
      />
      <InputField
        label={`Confirm ${label.toLowerCase()}`}
        error={errors.confirm}
        type="password"
        autoComplete="new-password"
        required
        value={confirm}
        onChange={onConfirm}
      />
    </>
  );
}
