import { ATTRIBUTE_KEYS, type Editor, keyedAttribute } from "@labelbench/editor";
import type { AttributeDefinition, AttributeValue } from "@labelbench/schema";
import { useStore } from "zustand";

/**
 * The selected shapes' attributes (issue 18), those of the first selected shape's label: edited here
 * for the whole selection (shapes of other labels that lack one keep theirs), each through the
 * editor, so an edit is one undoable change saved like any other. Alt+1 … Alt+9 do the same by key.
 */
export function AttributesPanel({ editor }: { editor: Editor }) {
  const selection = useStore(editor.store, (s) => s.selection);
  const shapes = useStore(editor.store, (s) => s.doc.shapes);
  const labels = useStore(editor.store, (s) => s.labels);
  const readOnly = useStore(editor.store, (s) => s.readOnly);
  const ids = [...selection].filter((id) => shapes.has(id));
  const first = ids[0] === undefined ? undefined : shapes.get(ids[0]);
  const label = first && labels.find((l) => l.id === first.labelId);
  if (!first || !label || label.attributes.length === 0) return null;

  const set = (name: string, v: AttributeValue | undefined) => editor.setAttribute(ids, name, v);
  /** The value the selection shows: the first shape's, and whether the others agree. */
  const shown = (name: string) => {
    const v = first.attributes?.[name];
    const mixed = ids.some((id) => shapes.get(id)?.attributes?.[name] !== v);
    return { v, mixed };
  };

  return (
    <section className="ed-panel ed-attrs" aria-label="Attributes">
      <h2 className="ed-panel__title">
        Attributes <span className="ed-count">{ids.length === 1 ? label.name : `${ids.length} shapes`}</span>
      </h2>
      <ul className="ed-attrs__list">
        {label.attributes.map((d, i) => {
          const { v, mixed } = shown(d.name);
          const key = i < ATTRIBUTE_KEYS && d.kind !== "text" ? `Alt+${i + 1}` : null;
          return (
            <li key={d.name} className="ed-attr" data-testid={`attribute-${d.name}`}>
              <AttributeControl
                def={d}
                value={v}
                mixed={mixed}
                disabled={readOnly}
                onChange={(x) => set(d.name, x)}
              />
              {key && (
                <kbd className="ed-kbd" title={keyTitle(d)}>
                  {key}
                </kbd>
              )}
            </li>
          );
        })}
      </ul>
      {keyedAttribute(editor, 1) === null && <p className="ed-empty">The selection is locked or hidden.</p>}
    </section>
  );
}

const keyTitle = (d: AttributeDefinition) =>
  d.kind === "checkbox" ? "toggles" : d.kind === "choice" ? "next choice" : "up a step";

function AttributeControl({
  def,
  value,
  mixed,
  disabled,
  onChange,
}: {
  def: AttributeDefinition;
  value: AttributeValue | undefined;
  mixed: boolean;
  disabled: boolean;
  onChange: (v: AttributeValue | undefined) => void;
}) {
  const name = `${def.name}${def.required ? " *" : ""}`;
  switch (def.kind) {
    case "checkbox":
      return (
        <label className="ed-attr__row">
          <input
            type="checkbox"
            checked={value === true}
            ref={(el) => {
              if (el) el.indeterminate = mixed;
            }}
            disabled={disabled}
            onChange={(e) => onChange(e.target.checked)}
          />
          <span className="ed-attr__name">{name}</span>
        </label>
      );
    case "choice":
      return (
        <label className="ed-attr__row">
          <span className="ed-attr__name">{name}</span>
          <select
            className="ed-attr__input"
            value={mixed || typeof value !== "string" ? "" : value}
            disabled={disabled}
            onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
          >
            <option value="">{mixed ? "(mixed)" : "—"}</option>
            {def.values.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      );
    case "number":
      return (
        <label className="ed-attr__row">
          <span className="ed-attr__name">{name}</span>
          <input
            className="ed-attr__input"
            type="number"
            min={def.min ?? undefined}
            max={def.max ?? undefined}
            step={def.step ?? "any"}
            placeholder={mixed ? "(mixed)" : ""}
            // Keyed by the value: an edit elsewhere (undo, a key) shows at once.
            key={String(mixed ? "mixed" : value)}
            defaultValue={mixed || typeof value !== "number" ? "" : value}
            disabled={disabled}
            onBlur={(e) => commitNumber(e.currentTarget, onChange)}
            onKeyDown={(e) => {
              if (e.key === "Enter") commitNumber(e.currentTarget, onChange);
            }}
          />
        </label>
      );
    case "text":
      return (
        <label className="ed-attr__row">
          <span className="ed-attr__name">{name}</span>
          <input
            className="ed-attr__input"
            type="text"
            maxLength={def.maxLength}
            placeholder={mixed ? "(mixed)" : ""}
            key={String(mixed ? "mixed" : value)}
            defaultValue={mixed || typeof value !== "string" ? "" : value}
            disabled={disabled}
            onBlur={(e) => onChange(e.currentTarget.value === "" ? undefined : e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter")
                onChange(e.currentTarget.value === "" ? undefined : e.currentTarget.value);
            }}
          />
        </label>
      );
  }
}

/** A typed number, once complete: empty clears it; the editor refuses one out of range. */
const commitNumber = (el: HTMLInputElement, onChange: (v: AttributeValue | undefined) => void) => {
  if (el.value === "") onChange(undefined);
  else if (Number.isFinite(el.valueAsNumber)) onChange(el.valueAsNumber);
};
