import { Spinner } from "./parts";

/**
 * A settings form's foot: Discard changes (back to what is saved) and Save, both idle until the
 * form differs from what is saved and while the save runs.
 */
export function SettingsSaveBar({
  dirty,
  busy,
  onDiscard,
}: {
  dirty: boolean;
  busy: boolean;
  onDiscard: () => void;
}) {
  return (
    <div className="settings-form__foot">
      <button type="button" className="button" disabled={!dirty || busy} onClick={onDiscard}>
        Discard changes
      </button>
      <button type="submit" className="button button--primary" disabled={!dirty || busy}>
        {busy && <Spinner label="Saving" />} Save
      </button>
    </div>
  );
}
