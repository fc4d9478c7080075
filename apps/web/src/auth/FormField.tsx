import { type InputHTMLAttributes, type ReactNode, useId } from "react";
import { sentence } from "./form-errors";

/** A labelled input with its hint, or its error in place of the hint, wired up for screen readers. */
export function FormField({
  label,
  hint,
  error,
  optional = false,
  children,
}: {
  label: string;
  optional?: boolean;
  hint?: string;
  error: string | undefined;
  children: (ids: { id: string; describedBy: string | undefined }) => ReactNode;
}) {
  const id = useId();
  const hintId = useId();
  const errorId = useId();
  const describedBy = error ? errorId : hint ? hintId : undefined;
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {label}
        {optional && <span className="field__optional">optional</span>}
      </label>
      {children({ id, describedBy })}
      {error ? (
        <p id={errorId} className="field__error">
          {sentence(error)}
        </p>
      ) : (
        hint && (
          <p id={hintId} className="field__hint">
            {hint}
          </p>
        )
      )}
    </div>
  );
}

/** The common case of FormField: one text-like input, its error state and description wired in. */
export function InputField({
  label,
  hint,
  error,
  optional,
  className = "input",
  ...input
}: {
  label: string;
  hint?: string;
  error: string | undefined;
  optional?: boolean;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "aria-describedby" | "aria-invalid">) {
  return (
    <FormField label={label} hint={hint} error={error} optional={optional}>
      {({ id, describedBy }) => (
        <input
          {...input}
          id={id}
          className={className}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
        />
      )}
    </FormField>
  );
}
