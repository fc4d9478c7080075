import type { QualificationStatus, QualitySettings } from "@labelbench/schema";
import { useEffect, useState } from "react";
import { call } from "../../api/client";
import { InputField } from "../../auth/FormField";
import { useProject } from "../../project/project-context";
import { ErrorState, Loading, Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import {
  type QualityErrors,
  type QualityForm,
  qualityPatchOf,
  qualitySentence,
  readQualityForm,
  toQualityForm,
} from "./quality-settings-model";
import "./quality-settings.css";
import { bindTextFields, SettingsCheck, type TextKeys } from "../../ui/SettingsRows";
import { SettingsSaveBar } from "../../ui/SettingsSaveBar";

/**
 * The project's quality settings (issue 16): honeypots, qualification, blind overlap and audits,
 * and where each annotator stands in the qualification, with a reset for a failed attempt.
 */
export function QualitySettingsSection() {
  const { project } = useProject();
  const projectId = project.id;
  const saved = useAsync(
    (signal) => call("getQualitySettings", { params: { projectId }, signal }),
    [projectId],
    "Could not load the quality settings",
  );
  return (
    <section className="card quality-settings" aria-labelledby="quality-settings-title">
      <div className="card__head">
        <h2 id="quality-settings-title" className="card__title">
          Quality
        </h2>
      </div>
      {saved.data ? (
        <>
          <QualityFormView
            saved={saved.data}
            onSaved={(s) => saved.setData(() => s)}
            save={(body) => call("putQualitySettings", { params: { projectId }, body })}
          />
          {saved.data.qualificationImages > 0 && <Qualification projectId={projectId} />}
        </>
      ) : saved.error ? (
        <ErrorState
          title="Could not load the quality settings"
          message={messageOf(saved.error)}
          onRetry={saved.reload}
        />
      ) : (
        <Loading what="the quality settings" />
      )}
    </section>
  );
}

function QualityFormView({
  saved,
  onSaved,
  save,
}: {
  saved: QualitySettings;
  onSaved: (s: QualitySettings) => void;
  save: (body: Partial<QualitySettings>) => Promise<QualitySettings>;
}) {
  const [form, setForm] = useState<QualityForm>(() => toQualityForm(saved));
  const [errors, setErrors] = useState<QualityErrors>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => setForm(toQualityForm(saved)), [saved]);
  const read = readQualityForm(form);
  const patch = "settings" in read ? qualityPatchOf(saved, read.settings) : null;
  const dirty = patch === null || Object.keys(patch).length > 0;
  const edit = (next: Partial<QualityForm>) => {
    setForm((f) => ({ ...f, ...next }));
    setErrors({});
  };
  const submit = async () => {
    if ("errors" in read) {
      setErrors(read.errors);
      return;
    }
    if (!patch || Object.keys(patch).length === 0) return;
    setBusy(true);
    try {
      const next = await save(patch);
      onSaved(next);
      toastSuccess("Quality settings saved", qualitySentence(next));
    } catch (err) {
      toastError("Could not save the quality settings", err);
    } finally {
      setBusy(false);
    }
  };
  const bind = bindTextFields(form, errors, edit);
  const field = (key: TextKeys<QualityForm>, label: string, hint: string, mode: "decimal" | "numeric") => (
    <InputField label={label} hint={hint} inputMode={mode} {...bind(key)} />
  );

  return (
    <form
      className="settings-form"
      aria-label="Quality settings"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <fieldset className="field plain-fieldset">
        <legend className="field__label">Gold images</legend>
        <p className="field__hint">
          Mark gold images in the library (select, then <em>Gold</em>). Their own annotations are the
          reference; annotators label private copies and never see it.
        </p>
        <div className="inline-form inline-form--top settings-numbers">
          {field(
            "honeypotPercent",
            "Honeypots (% of queue images)",
            "Honeypot gold images mixed blind into each annotator's queue, reproducibly.",
            "decimal",
          )}
          {field(
            "warmupImages",
            "Warm-up (images)",
            "A new annotator's first queue images are all honeypots.",
            "numeric",
          )}
        </div>
        <div className="inline-form inline-form--top settings-numbers">
          {field(
            "qualificationImages",
            "Qualification (images)",
            "Qualification gold images a new annotator labels before real work; 0: none.",
            "numeric",
          )}
          {field(
            "qualificationPass",
            "Pass mark (accuracy %)",
            "Accuracy on them that opens real work.",
            "decimal",
          )}
        </div>
        <p className="field__hint">{"settings" in read ? qualitySentence(read.settings) : "\u00a0"}</p>
      </fieldset>

      <fieldset className="field plain-fieldset">
        <legend className="field__label">Blind overlap and audits</legend>
        <div className="inline-form inline-form--top settings-numbers">
          {field(
            "overlap",
            "Annotators per image",
            "1: off. Each labels blind; a consensus is merged.",
            "numeric",
          )}
          {field("overlapPercent", "Images in overlap (%)", "Chosen reproducibly per image.", "decimal")}
        </div>
        <div className="inline-form inline-form--top settings-numbers">
          {field(
            "consensusQuorum",
            "Consensus quorum (%)",
            "Share of annotators that must agree on a shape.",
            "decimal",
          )}
          {field(
            "auditPercent",
            "Audited acceptances (%)",
            "Accepted images checked again by another reviewer.",
            "decimal",
          )}
        </div>
      </fieldset>

      <SettingsCheck
        title="Match shapes as CVAT does"
        checked={form.matchPreset === "cvat"}
        onChange={(cvat) => edit({ matchPreset: cvat ? "cvat" : "default" })}
      >
        A match needs IoU 0.4 and is loose under 0.8 (default: 0.5 and 0.75), so scores compare with CVAT's.
      </SettingsCheck>

      <SettingsSaveBar dirty={dirty} busy={busy} onDiscard={() => setForm(toQualityForm(saved))} />
    </form>
  );
}

const STATE_TEXT: Record<QualificationStatus["state"], string> = {
  none: "not asked",
  in_progress: "in progress",
  passed: "passed",
  failed: "failed",
};

/** Each annotator's qualification; a failed (or any) attempt can be reset by a manager. */
function Qualification({ projectId }: { projectId: number }) {
  const list = useAsync(
    (signal) => call("listQualification", { params: { projectId }, signal }),
    [projectId],
    "Could not load the annotators' qualification",
  );
  const [busy, setBusy] = useState<number | null>(null);
  const reset = async (userId: number, name: string) => {
    setBusy(userId);
    try {
      await call("resetQualification", { params: { projectId, userId } });
      toastSuccess("Qualification reset", `${name} can take the qualification again.`);
      list.reload();
    } catch (err) {
      toastError("Could not reset the qualification", err);
    } finally {
      setBusy(null);
    }
  };
  if (list.error)
    return (
      <ErrorState
        title="Could not load the qualification"
        message={messageOf(list.error)}
        onRetry={list.reload}
      />
    );
  if (!list.data) return <Loading what="the qualification" />;
  return (
    <div className="settings-form quality-settings__people">
      <h3 className="field__label">Qualification by annotator</h3>
      {list.data.items.length === 0 ? (
        <p className="muted">No annotator in this project yet.</p>
      ) : (
        <table className="data-table" aria-label="Qualification by annotator">
          <thead>
            <tr>
              <th scope="col">Annotator</th>
              <th scope="col">State</th>
              <th scope="col">Submitted</th>
              <th scope="col">Accuracy</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((q) => (
              <tr key={q.userId}>
                <td>{q.name}</td>
                <td>{STATE_TEXT[q.state]}</td>
                <td>
                  {q.submitted} of {q.required}
                </td>
                <td>{q.accuracy === null ? "—" : `${Math.round(q.accuracy * 100)} %`}</td>
                <td>
                  {q.submitted > 0 && (
                    <button
                      type="button"
                      className="button button--small"
                      disabled={busy !== null}
                      onClick={() => void reset(q.userId, q.name)}
                    >
                      {busy === q.userId && <Spinner label="Resetting" />} Reset
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
