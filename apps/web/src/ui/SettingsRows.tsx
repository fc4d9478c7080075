import type { ChangeEvent, ReactNode } from "react";

/**
 * The rows of a settings form (project settings, model servers): a choice of cards, a checkbox with
 * its explanation, and text fields bound to the form's draft. One markup for all of them, so their
 * labels, hints and accessible names read the same everywhere.
 */

/** A choice among a few options, each a card with its title and what it means; `hint` under them. */
export function SettingsChoice<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
  hint,
}: {
  legend: string;
  /** The radio group's name. */
  name: string;
  options: readonly { value: T; title: string; text: string }[];
  value: T;
  onChange: (value: T) => void;
  hint: ReactNode;
}) {
  return (
    <fieldset className="field plain-fieldset">
      <legend className="field__label">{legend}</legend>
      <div className="radio-cards">
        {options.map((o) => (
          <label key={o.value} className="radio-card">
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
            />
            <span>
              <span className="radio-card__title">{o.title}</span>
              <br />
              <span className="radio-card__text">{o.text}</span>
            </span>
          </label>
        ))}
      </div>
      <p className="field__hint">{hint}</p>
    </fieldset>
  );
}

/** A checkbox named by its title, with what it does below the title. */
export function SettingsCheck({
  title,
  checked,
  onChange,
  children,
}: {
  title: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** What turning it on does. */
  children: ReactNode;
}) {
  return (
    <label className="check-row">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span className="check-row__text">
        <strong>{title}</strong>
        <span className="muted">{children}</span>
      </span>
    </label>
  );
}

/** The keys of a form draft that hold free text (what an input edits), not a choice among strings. */
export type TextKeys<F> = { [K in keyof F]-?: string extends F[K] ? K : never }[keyof F];

/**
 * Binds a form draft's text fields to InputField: `<InputField label="…" {...bind("leaseMinutes")} />`
 * gives it the draft's value, the field's error and an edit of that key alone.
 */
export const bindTextFields =
  <F,>(form: F, errors: Partial<Record<keyof F, string>>, edit: (next: Partial<F>) => void) =>
  <K extends TextKeys<F>>(key: K) => ({
    value: form[key] as string,
    error: errors[key],
    onChange: (e: ChangeEvent<HTMLInputElement>) => edit({ [key]: e.target.value } as Partial<F>),
  });
