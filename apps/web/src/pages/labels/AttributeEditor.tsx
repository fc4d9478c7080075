import {
  type AttributeDefinition,
  type AttributeDefinitionInput,
  AttributeDefinitions,
  type AttributeKind,
  type Label,
  type LabelPatch,
} from "@labelbench/schema";
import { useId, useState } from "react";

/**
 * A label's attribute definitions (issue 18), edited as a draft and saved whole: the server keeps
 * each shape's values its attributes still accept (by name), drops those of removed attributes,
 * gives new ones their default, and refuses a change stored values would break (its message shows
 * here, nothing changed).
 */
export function AttributeEditor({
  label,
  onSave,
  onClose,
}: {
  label: Label;
  onSave: (patch: LabelPatch) => Promise<string | null>;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState<Draft[]>(() => label.attributes.map(toDraft));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const errId = useId();

  const update = (i: number, patch: Partial<Draft>) =>
    setDraft((d) => d.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const field = (i: number) => ({ draft: draft[i], index: i, update });

  const save = async () => {
    const parsed = AttributeDefinitions.safeParse(draft.map(fromDraft));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at =
        typeof issue?.path[0] === "number"
          ? draft[issue.path[0]]?.name || `attribute ${issue.path[0] + 1}`
          : "";
      setError(`${at ? `${at}: ` : ""}${issue?.message ?? "invalid"}`);
      return;
    }
    setSaving(true);
    const err = await onSave({ attributes: parsed.data as AttributeDefinitionInput[] });
    setSaving(false);
    setError(err);
    if (!err) onClose();
  };

  return (
    <fieldset className="attr-editor">
      <legend className="visually-hidden">Attributes of {label.name}</legend>
      {draft.length === 0 && (
        <p className="attr-editor__empty">No attributes: shapes of {label.name} hold only their label.</p>
      )}
      <ul className="attr-editor__list">
        {draft.map((d, i) => (
          <li key={d.key} className="attr-editor__row">
            <DraftField {...field(i)} name="name" label="name" placeholder="name, e.g. occluded" />
            <select
              className="input"
              value={d.kind}
              aria-label={`Attribute ${i + 1} kind`}
              onChange={(e) => update(i, { kind: e.target.value as AttributeKind, default: "" })}
            >
              <option value="checkbox">Checkbox</option>
              <option value="choice">Choice</option>
              <option value="number">Number</option>
              <option value="text">Text</option>
            </select>
            {d.kind === "choice" && (
              <DraftField {...field(i)} name="values" label="choices" placeholder="red, blue, white" />
            )}
            {d.kind === "number" && (
              <span className="attr-editor__range">
                <DraftField {...field(i)} name="min" label="minimum" placeholder="min" numeric />
                <DraftField {...field(i)} name="max" label="maximum" placeholder="max" numeric />
                <DraftField {...field(i)} name="step" label="step" placeholder="step" numeric />
              </span>
            )}
            {d.kind === "text" && (
              <DraftField {...field(i)} name="maxLength" label="maximum length" numeric />
            )}
            {/* A checkbox has nothing to set here: its column stays empty so the rows line up. */}
            {d.kind === "checkbox" && <span />}
            {d.kind === "checkbox" ? (
              <label className="chip">
                <input
                  type="checkbox"
                  className="chip__input"
                  checked={d.default === "true"}
                  onChange={(e) => update(i, { default: e.target.checked ? "true" : "" })}
                />
                on by default
              </label>
            ) : (
              <DraftField {...field(i)} name="default" label="default" placeholder="default" />
            )}
            <label className="chip">
              <input
                type="checkbox"
                className="chip__input"
                checked={d.required}
                onChange={(e) => update(i, { required: e.target.checked })}
              />
              required
            </label>
            <button
              type="button"
              className="button button--small"
              aria-label={`Remove attribute ${d.name || i + 1}`}
              onClick={() => setDraft((x) => x.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p id={errId} className="field__error" role="alert">
          {error}
        </p>
      )}
      <div className="attr-editor__actions">
        <button
          type="button"
          className="button button--small"
          onClick={() => setDraft((d) => [...d, emptyDraft()])}
        >
          Add attribute
        </button>
        <button
          type="button"
          className="button button--small button--primary"
          disabled={saving}
          onClick={() => void save()}
        >
          Save attributes
        </button>
        <button type="button" className="button button--small" onClick={onClose}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}

/** A definition's typed-in fields (the others are a select and checkboxes). */
type TypedField = "name" | "values" | "min" | "max" | "step" | "maxLength" | "default";

/** One typed-in field of a definition's row, named "Attribute <n> <label>" for assistive tech. */
function DraftField({
  draft,
  index,
  update,
  name,
  label,
  placeholder,
  numeric = false,
}: {
  draft: Draft | undefined;
  index: number;
  update: (i: number, patch: Partial<Draft>) => void;
  name: TypedField;
  label: string;
  placeholder?: string;
  numeric?: boolean;
}) {
  return (
    <input
      className="input"
      type={numeric ? "number" : undefined}
      value={draft?.[name] ?? ""}
      placeholder={placeholder}
      aria-label={`Attribute ${index + 1} ${label}`}
      onChange={(e) => update(index, { [name]: e.target.value })}
    />
  );
}

/** A definition as its form holds it: every field as typed. */
interface Draft {
  key: number;
  name: string;
  kind: AttributeKind;
  required: boolean;
  values: string;
  min: string;
  max: string;
  step: string;
  maxLength: string;
  default: string;
}

let nextKey = 0;
const emptyDraft = (): Draft => ({
  key: ++nextKey,
  name: "",
  kind: "checkbox",
  required: false,
  values: "",
  min: "",
  max: "",
  step: "",
  maxLength: "200",
  default: "",
});

const str = (v: number | string | null | undefined) => (v === null || v === undefined ? "" : String(v));

const toDraft = (d: AttributeDefinition): Draft => ({
  ...emptyDraft(),
  name: d.name,
  kind: d.kind,
  required: d.required,
  values: d.kind === "choice" ? d.values.join(", ") : "",
  min: d.kind === "number" ? str(d.min) : "",
  max: d.kind === "number" ? str(d.max) : "",
  step: d.kind === "number" ? str(d.step) : "",
  maxLength: d.kind === "text" ? String(d.maxLength) : "200",
  default: d.kind === "checkbox" ? (d.default ? "true" : "") : str(d.default),
});

const num = (s: string) => (s.trim() === "" ? null : Number(s));
const text = (s: string) => (s === "" ? null : s);

/** The contract's input for a draft; AttributeDefinitions then checks it as the server will. */
const fromDraft = (d: Draft): AttributeDefinitionInput => {
  const common = { name: d.name, required: d.required };
  switch (d.kind) {
    case "checkbox":
      return { ...common, kind: "checkbox", default: d.default === "true" };
    case "choice":
      return {
        ...common,
        kind: "choice",
        values: d.values
          .split(",")
          .map((v) => v.trim())
          .filter((v) => v !== ""),
        default: text(d.default.trim()),
      };
    case "number":
      return {
        ...common,
        kind: "number",
        min: num(d.min),
        max: num(d.max),
        step: num(d.step),
        default: num(d.default),
      };
    case "text":
      return { ...common, kind: "text", maxLength: Number(d.maxLength) || 200, default: text(d.default) };
  }
};
