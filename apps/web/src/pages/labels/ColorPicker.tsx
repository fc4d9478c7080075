import { useEffect, useId, useRef, useState } from "react";
import { normalizeHex } from "./label-rules";
import { LABEL_PALETTE } from "./palette";

/**
 * A swatch button that opens the palette, a system colour picker and a hex field. Picking from the
 * palette applies at once; the free picker and the hex field apply when the value settles.
 */
export function ColorPicker({
  value,
  labelName,
  onPick,
}: {
  value: string;
  labelName: string;
  onPick: (color: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [hex, setHex] = useState(value);
  const [hexError, setHexError] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const hexId = useId();
  const customId = useId();
  const settle = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => setHex(value), [value]);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onDown);
    rootRef.current?.querySelector<HTMLButtonElement>('[aria-pressed="true"], .palette__swatch')?.focus();
    return () => document.removeEventListener("pointerdown", onDown);
  }, [open]);

  useEffect(
    () => () => {
      if (settle.current) clearTimeout(settle.current);
    },
    [],
  );

  const close = () => {
    setOpen(false);
    triggerRef.current?.focus();
  };

  const pick = (c: string, closeAfter: boolean) => {
    setHex(c);
    setHexError(null);
    if (c.toLowerCase() !== value.toLowerCase()) onPick(c.toLowerCase());
    if (closeAfter) close();
  };

  const commitHex = () => {
    const r = normalizeHex(hex);
    if (!r.ok) setHexError(r.message);
    else pick(r.value, false);
  };

  return (
    <div className="color-picker" ref={rootRef}>
      <button
        ref={triggerRef}
        type="button"
        className="swatch-button"
        aria-label={`Colour of ${labelName}: ${value}`}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="swatch" style={{ background: value }} />
      </button>
      {open && (
        <div
          id={panelId}
          className="popover color-picker__panel"
          role="dialog"
          aria-label={`Colour for ${labelName}`}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              close();
            }
          }}
        >
          <fieldset className="palette">
            <legend className="visually-hidden">Palette</legend>
            {LABEL_PALETTE.map((c) => (
              <button
                key={c}
                type="button"
                className="palette__swatch"
                style={{ background: c }}
                aria-label={c}
                aria-pressed={c === value.toLowerCase()}
                title={c}
                onClick={() => pick(c, true)}
              />
            ))}
          </fieldset>
          <div className="color-picker__custom">
            <label htmlFor={customId} className="color-picker__native-label">
              <input
                id={customId}
                type="color"
                className="color-picker__native"
                value={HEXISH.test(hex) ? hex : value}
                onChange={(e) => {
                  const c = e.target.value;
                  setHex(c);
                  // The system picker streams values while dragging; save once it rests.
                  if (settle.current) clearTimeout(settle.current);
                  settle.current = setTimeout(() => pick(c, false), 400);
                }}
              />
              Custom
            </label>
            <label htmlFor={hexId} className="visually-hidden">
              Hex colour
            </label>
            <input
              id={hexId}
              className={`input input--small color-picker__hex${hexError ? " is-invalid" : ""}`}
              value={hex}
              spellCheck={false}
              aria-invalid={hexError ? true : undefined}
              onChange={(e) => {
                setHex(e.target.value);
                setHexError(null);
              }}
              onBlur={commitHex}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  commitHex();
                }
              }}
            />
          </div>
          {hexError && <p className="field__error">{hexError}</p>}
        </div>
      )}
    </div>
  );
}

const HEXISH = /^#[0-9a-fA-F]{6}$/;
