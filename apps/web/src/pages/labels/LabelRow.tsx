import type { Label, LabelPatch, LabelScope, ShapeType } from "@labelbench/schema";
import { type DragEvent, useEffect, useId, useState } from "react";
import { plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { AttributeEditor } from "./AttributeEditor";
import { ColorPicker } from "./ColorPicker";
import { checkHotkey, checkLabelName, checkShapeTypes } from "./label-rules";

export interface RowDrag {
  onDragStart: (e: DragEvent, index: number) => void;
  onDragOver: (e: DragEvent, index: number) => void;
  onDrop: (e: DragEvent) => void;
  onDragEnd: () => void;
  /** Where the drop line shows, relative to this row. */
  indicator: "before" | "after" | null;
  dragging: boolean;
}

interface LabelRowProps {
  label: Label;
  index: number;
  count: number;
  labels: readonly Label[];
  /** Saves a change; resolves to the server's message on failure, null on success. */
  onSave: (patch: LabelPatch) => Promise<string | null>;
  onMove: (to: number) => void;
  onDelete: () => void;
  drag: RowDrag;
}

const SHAPES: { type: ShapeType; name: string; icon: "box" | "polygon" }[] = [
  { type: "box", name: "Box", icon: "box" },
  { type: "polygon", name: "Polygon", icon: "polygon" },
];

export function LabelRow({ label, index, count, labels, onSave, onMove, onDelete, drag }: LabelRowProps) {
  const [name, setName] = useState(label.name);
  const [nameError, setNameError] = useState<string | null>(null);
  const [hotkey, setHotkey] = useState(label.hotkey ?? "");
  const [hotkeyError, setHotkeyError] = useState<string | null>(null);
  const [shapeError, setShapeError] = useState<string | null>(null);
  const [scopeError, setScopeError] = useState<string | null>(null);
  const [editingAttributes, setEditingAttributes] = useState(false);
  const nameErrId = useId();
  const hotkeyErrId = useId();

  useEffect(() => setName(label.name), [label.name]);
  useEffect(() => setHotkey(label.hotkey ?? ""), [label.hotkey]);

  const commitName = async () => {
    if (name === label.name) {
      setNameError(null);
      return;
    }
    const r = checkLabelName(name, labels, label.id);
    if (!r.ok) {
      setNameError(r.message);
      return;
    }
    if (r.value === label.name) {
      setName(label.name);
      return;
    }
    setNameError(await onSave({ name: r.value }));
  };

  const changeHotkey = async (raw: string) => {
    // One key, or two for a chord (G then 3); the text is selected on focus, so typing replaces it.
    const key = [...raw.trim()].slice(-2).join("");
    setHotkey(key);
    const r = checkHotkey(key, labels, label.id);
    if (!r.ok) {
      setHotkeyError(r.message);
      return;
    }
    setHotkeyError(null);
    if (r.value === label.hotkey) return;
    const err = await onSave({ hotkey: r.value });
    if (err) {
      setHotkeyError(err);
      setHotkey(label.hotkey ?? "");
    }
  };

  const toggleShape = async (type: ShapeType, on: boolean) => {
    const next = on ? [...label.shapeTypes, type] : label.shapeTypes.filter((t) => t !== type);
    const r = checkShapeTypes(next);
    if (!r.ok) {
      setShapeError(r.message);
      return;
    }
    setShapeError(null);
    setShapeError(await onSave({ shapeTypes: r.value }));
  };

  const rowClass = [
    "label-row",
    drag.dragging ? "is-dragging" : "",
    drag.indicator ? `drop-${drag.indicator}` : "",
  ].join(" ");

  return (
    <li
      className={rowClass}
      data-label-id={label.id}
      onDragOver={(e) => drag.onDragOver(e, index)}
      onDrop={drag.onDrop}
    >
      <button
        type="button"
        className="drag-handle"
        draggable
        aria-label={`Reorder ${label.name}, position ${index + 1} of ${count}. Use arrow up and down to move.`}
        title="Drag to reorder (or focus and use ↑ ↓)"
        onDragStart={(e) => drag.onDragStart(e, index)}
        onDragEnd={drag.onDragEnd}
        onKeyDown={(e) => {
          if (e.key === "ArrowUp" && index > 0) {
            e.preventDefault();
            onMove(index - 1);
          } else if (e.key === "ArrowDown" && index < count - 1) {
            e.preventDefault();
            onMove(index + 1);
          }
        }}
      >
        <Icon name="grip" size={16} />
      </button>

      <ColorPicker value={label.color} labelName={label.name} onPick={(color) => void onSave({ color })} />

      <div className="label-row__name field field--inline">
        <input
          className={`input input--bare${nameError ? " is-invalid" : ""}`}
          value={name}
          maxLength={120}
          aria-label={`Name of ${label.name}`}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? nameErrId : undefined}
          onChange={(e) => {
            setName(e.target.value);
            setNameError(null);
          }}
          onBlur={() => void commitName()}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              void commitName();
            } else if (e.key === "Escape") {
              setName(label.name);
              setNameError(null);
            }
          }}
        />
        {nameError && (
          <p id={nameErrId} className="field__error" role="alert">
            {nameError}
          </p>
        )}
      </div>

      <div className="label-row__hotkey field field--inline">
        <input
          className={`input input--key${hotkeyError ? " is-invalid" : ""}`}
          value={hotkey.toUpperCase()}
          placeholder="—"
          maxLength={2}
          aria-label={`Hotkey for ${label.name}`}
          aria-invalid={hotkeyError ? true : undefined}
          aria-describedby={hotkeyError ? hotkeyErrId : undefined}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => void changeHotkey(e.target.value)}
          onFocus={(e) => e.target.select()}
          onBlur={() => setHotkey(label.hotkey ?? "")}
        />
        {hotkeyError && (
          <p id={hotkeyErrId} className="field__error" role="alert">
            {hotkeyError}
          </p>
        )}
      </div>

      <div className="label-row__shapes field field--inline">
        <fieldset className="chip-group">
          <legend className="visually-hidden">Shapes allowed for {label.name}</legend>
          {SHAPES.map((s) => (
            <label key={s.type} className="chip">
              <input
                type="checkbox"
                className="chip__input"
                checked={label.shapeTypes.includes(s.type)}
                onChange={(e) => void toggleShape(s.type, e.target.checked)}
              />
              <Icon name={s.icon} size={14} />
              {s.name}
            </label>
          ))}
        </fieldset>
        {shapeError && (
          <p className="field__error" role="alert">
            {shapeError}
          </p>
        )}
      </div>

      <div className="label-row__scope field field--inline">
        <select
          className="input"
          value={label.scope}
          aria-label={`Where ${label.name} applies`}
          onChange={async (e) => setScopeError(await onSave({ scope: e.target.value as LabelScope }))}
        >
          <option value="both">Shapes + tags</option>
          <option value="shapes">Shapes only</option>
          <option value="tags">Tags only</option>
        </select>
        {scopeError && (
          <p className="field__error" role="alert">
            {scopeError}
          </p>
        )}
      </div>

      <button
        type="button"
        className="button button--small label-row__attrs-button"
        aria-expanded={editingAttributes}
        aria-label={`Attributes of ${label.name}`}
        title={label.attributes.map((a) => `${a.name} (${a.kind})`).join(", ") || "No attributes"}
        onClick={() => setEditingAttributes((v) => !v)}
      >
        {label.attributes.length === 0 ? "Attributes" : plural(label.attributes.length, "attribute")}
      </button>

      <span className={`label-row__usage${label.annotationCount === 0 ? " is-zero" : ""}`}>
        {plural(label.annotationCount, "annotation")}
      </span>

      <button
        type="button"
        className="icon-button icon-button--danger"
        aria-label={`Delete ${label.name}`}
        title="Delete label"
        onClick={onDelete}
      >
        <Icon name="trash" size={16} />
      </button>
      {editingAttributes && (
        <AttributeEditor label={label} onSave={onSave} onClose={() => setEditingAttributes(false)} />
      )}
    </li>
  );
}
