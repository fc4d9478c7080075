import type { ActiveLearningSettings, PredictionRun } from "@labelbench/schema";
import { useEffect, useState } from "react";
import { call } from "../../api/client";
import { FormField, InputField } from "../../auth/FormField";
import { useProject } from "../../project/project-context";
import { ErrorState, Loading } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import {
  type ActiveLearningForm,
  activeLearningPatchOf,
  activeLearningSentence,
  readActiveLearningForm,
  toActiveLearningForm,
} from "./active-learning-model";
import "./active-learning.css";
import { SettingsChoice } from "../../ui/SettingsRows";
import { SettingsSaveBar } from "../../ui/SettingsSaveBar";

/**
 * Active learning (issue 17): the work queue's order, by upload or by a model version's
 * uncertainty mixed with diversity across predicted labels.
 */
export function ActiveLearningSection() {
  const { project } = useProject();
  const projectId = project.id;
  const saved = useAsync(
    (signal) => call("getActiveLearning", { params: { projectId }, signal }),
    [projectId],
    "Could not load the queue order",
  );
  // The runs to choose from; without them the newest run is still a choice.
  const runs = useAsync(
    (signal) =>
      call("listPredictionRuns", { params: { projectId }, signal }).then(
        (r) => r.items,
        () => [] as PredictionRun[],
      ),
    [projectId],
    "Could not load the model versions",
  );
  return (
    <section className="card active-learning-settings" aria-labelledby="active-learning-title">
      <div className="card__head">
        <h2 id="active-learning-title" className="card__title">
          Queue order
        </h2>
      </div>
      {saved.data ? (
        <ActiveLearningFormView
          saved={saved.data}
          runs={runs.data ?? []}
          onSaved={(s) => saved.setData(() => s)}
          save={(body) => call("putActiveLearning", { params: { projectId }, body })}
        />
      ) : saved.error ? (
        <ErrorState
          title="Could not load the queue order"
          message={messageOf(saved.error)}
          onRetry={saved.reload}
        />
      ) : (
        <Loading what="the queue order" />
      )}
    </section>
  );
}

const ORDERS: { value: ActiveLearningSettings["order"]; title: string; text: string }[] = [
  { value: "upload", title: "Upload order", text: "The library's name order." },
  {
    value: "uncertainty",
    title: "Most uncertain first",
    text: "Active learning: the images a model version is least sure of, mixed across its predicted labels.",
  },
];

function ActiveLearningFormView({
  saved,
  runs,
  onSaved,
  save,
}: {
  saved: ActiveLearningSettings;
  runs: PredictionRun[];
  onSaved: (s: ActiveLearningSettings) => void;
  save: (body: Partial<ActiveLearningSettings>) => Promise<ActiveLearningSettings>;
}) {
  const [form, setForm] = useState<ActiveLearningForm>(() => toActiveLearningForm(saved));
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => setForm(toActiveLearningForm(saved)), [saved]);
  const read = readActiveLearningForm(form);
  const patch = "settings" in read ? activeLearningPatchOf(saved, read.settings) : null;
  const dirty = patch === null || Object.keys(patch).length > 0;
  const edit = (next: Partial<ActiveLearningForm>) => {
    setForm((f) => ({ ...f, ...next }));
    setError(undefined);
  };
  const submit = async () => {
    if ("error" in read) {
      setError(read.error);
      return;
    }
    if (!patch || Object.keys(patch).length === 0) return;
    setBusy(true);
    try {
      const next = await save(patch);
      onSaved(next);
      toastSuccess("Queue order saved", activeLearningSentence(next));
    } catch (err) {
      toastError("Could not save the queue order", err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="settings-form"
      aria-label="Queue order"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <SettingsChoice
        legend="Order of the work queue"
        name="queue-order"
        options={ORDERS}
        value={form.order}
        onChange={(order) => edit({ order })}
        hint={"settings" in read ? activeLearningSentence(read.settings) : "\u00a0"}
      />

      {form.order === "uncertainty" && (
        <div className="inline-form inline-form--top settings-numbers">
          <FormField label="Uncertainty" error={undefined}>
            {({ id }) => (
              <select
                id={id}
                className="input select"
                value={form.measure}
                onChange={(e) =>
                  edit({ measure: e.target.value === "margin" ? "margin" : "least-confidence" })
                }
              >
                <option value="least-confidence">Least confidence (1 − top score)</option>
                <option value="margin">Margin (top − second score)</option>
              </select>
            )}
          </FormField>
          <FormField label="Model version" error={undefined}>
            {({ id }) => (
              <select
                id={id}
                className="input select"
                value={form.runId}
                onChange={(e) => edit({ runId: e.target.value })}
              >
                <option value="">The newest</option>
                {runs.map((r) => (
                  <option key={r.id} value={String(r.id)}>
                    {r.modelName} {r.modelVersion}
                  </option>
                ))}
              </select>
            )}
          </FormField>
          <InputField
            label="Label diversity (hand-outs)"
            hint="A top predicted label is not handed out again within this many; 0: pure uncertainty."
            error={error}
            inputMode="numeric"
            value={form.diversity}
            onChange={(e) => edit({ diversity: e.target.value })}
          />
        </div>
      )}

      <SettingsSaveBar dirty={dirty} busy={busy} onDiscard={() => setForm(toActiveLearningForm(saved))} />
    </form>
  );
}
