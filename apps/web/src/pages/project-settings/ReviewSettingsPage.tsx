import type { ReviewMode, ReviewSettings } from "@labelbench/schema";
import { useEffect, useState } from "react";
import { call } from "../../api/client";
import { InputField } from "../../auth/FormField";
import { useProject } from "../../project/project-context";
import { ErrorState, Loading } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { ActiveLearningSection } from "./ActiveLearningSection";
import { QualitySettingsSection } from "./QualitySettingsSection";
import {
  type FormErrors,
  patchOf,
  policySentence,
  type ReviewForm,
  readForm,
  toForm,
} from "./review-settings-model";
import "../../auth/accounts.css";
import "../../review/review.css";
import { bindTextFields, SettingsCheck, SettingsChoice } from "../../ui/SettingsRows";
import { SettingsSaveBar } from "../../ui/SettingsSaveBar";

const MODES: { value: ReviewMode; title: string; text: string }[] = [
  { value: "off", title: "Off", text: "Submitted images are done." },
  { value: "sample", title: "Sample", text: "A reproducible share is reviewed." },
  { value: "all", title: "All", text: "Every submission is reviewed." },
];

/** A project's settings for managers: the review policy and the work queue (issue 15). */
export function ReviewSettingsPage() {
  const { project } = useProject();
  const projectId = project.id;
  useTitle("Settings", project.name);
  const saved = useAsync(
    (signal) => call("getReviewSettings", { params: { projectId }, signal }),
    [projectId],
    "Could not load the review settings",
  );

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <h1 className="page-title">Settings</h1>
          <p className="page-subtitle">
            How submitted work is checked, and how annotators get their next image.
          </p>
        </div>
      </div>
      <section className="card" aria-labelledby="review-settings-title">
        <div className="card__head">
          <h2 id="review-settings-title" className="card__title">
            Review &amp; queue
          </h2>
        </div>
        {saved.data ? (
          <SettingsForm
            saved={saved.data}
            onSaved={(s) => saved.setData(() => s)}
            save={(patch) => call("updateReviewSettings", { params: { projectId }, body: patch })}
          />
        ) : saved.error ? (
          <ErrorState
            title="Could not load the review settings"
            message={messageOf(saved.error)}
            onRetry={saved.reload}
          />
        ) : (
          <Loading what="the review settings" />
        )}
      </section>
      <ActiveLearningSection />
      <QualitySettingsSection />
    </main>
  );
}

function SettingsForm({
  saved,
  onSaved,
  save,
}: {
  saved: ReviewSettings;
  onSaved: (s: ReviewSettings) => void;
  save: (patch: Partial<ReviewSettings>) => Promise<ReviewSettings>;
}) {
  const [form, setForm] = useState<ReviewForm>(() => toForm(saved));
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => setForm(toForm(saved)), [saved]);
  const read = readForm(form);
  const patch = "settings" in read ? patchOf(saved, read.settings) : null;
  const dirty = patch === null || Object.keys(patch).length > 0;
  const edit = (next: Partial<ReviewForm>) => {
    setForm((f) => ({ ...f, ...next }));
    setErrors({});
  };
  const bind = bindTextFields(form, errors, edit);

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
      toastSuccess("Review settings saved", policySentence(next));
    } catch (err) {
      toastError("Could not save the review settings", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="settings-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <SettingsChoice
        legend="Review"
        name="review-mode"
        options={MODES}
        value={form.mode}
        onChange={(mode) => edit({ mode })}
        hint={"settings" in read ? policySentence(read.settings) : "\u00a0"}
      />

      {form.mode === "sample" && (
        <div className="inline-form settings-numbers">
          <InputField
            label="Sample share (%)"
            hint="Which images: a hash of the seed and the image id, the same on every server."
            inputMode="decimal"
            {...bind("samplePercent")}
          />
          <InputField
            label="Seed"
            hint="Another seed picks another sample."
            inputMode="numeric"
            {...bind("sampleSeed")}
          />
        </div>
      )}

      <SettingsCheck
        title="An edit after a decision sends the image back to review"
        checked={form.returnOnEdit}
        onChange={(returnOnEdit) => edit({ returnOnEdit })}
      >
        Otherwise the decision is only marked as changed since.
      </SettingsCheck>

      <SettingsCheck title="Work queue" checked={form.queue} onChange={(queue) => edit({ queue })}>
        "Next image" hands each annotator a free image under a lease, so two people never label the same
        image.
      </SettingsCheck>

      {form.queue && (
        <div className="inline-form settings-numbers">
          <InputField
            label="Lease (minutes)"
            hint="An image left idle this long returns to the pool; saving renews the lease."
            inputMode="numeric"
            {...bind("leaseMinutes")}
          />
        </div>
      )}

      <SettingsSaveBar dirty={dirty} busy={busy} onDiscard={() => setForm(toForm(saved))} />
    </form>
  );
}
