import type {
  ConnectionTest,
  ModelBackend,
  ModelBackendCreate,
  ModelBackendJob,
  WebhookDelivery,
} from "@labelbench/schema";
import { useEffect, useState } from "react";
import { call } from "../../api/client";
import { FormField, InputField } from "../../auth/FormField";
import { useProject } from "../../project/project-context";
import { SubmitFooter } from "../../ui/Dialog";
import { EmptyState, ErrorState, Loading, ProgressBar, Spinner } from "../../ui/parts";
import { bindTextFields } from "../../ui/SettingsRows";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import {
  type BackendForm,
  type BackendFormErrors,
  EMPTY_FORM,
  exchangeText,
  formOf,
  isOpen,
  jobSummary,
  readBackendForm,
} from "./model-servers-model";
import "../../auth/accounts.css";
import "./model-servers.css";

/**
 * Model servers (issue 17): Label Studio ML backends connected to the project. Managers add one,
 * test the connection (every exact request and response, and the first mismatch), run it on
 * images in the background, and ask it to train. docs/model-backends.md.
 */
export function ModelServersPage() {
  const { project } = useProject();
  const projectId = project.id;
  useTitle("Model servers", project.name);
  const backends = useAsync(
    (signal) => call("listModelBackends", { params: { projectId }, signal }).then((r) => r.items),
    [projectId],
    "Could not load the model servers",
  );
  const [adding, setAdding] = useState(false);

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <h1 className="page-title">Model servers</h1>
          <p className="page-subtitle">
            Connect a Label Studio ML backend unchanged: it predicts labels for your images, and learns from
            the annotations saved here.
          </p>
        </div>
        <div className="page-header__actions">
          {!adding && (
            <button type="button" className="button button--primary" onClick={() => setAdding(true)}>
              Add a model server
            </button>
          )}
        </div>
      </div>
      {adding && (
        <AddBackend
          projectId={projectId}
          onCancel={() => setAdding(false)}
          onAdded={(b) => {
            setAdding(false);
            backends.setData((prev) => [...(prev ?? []), b]);
            toastSuccess("Model server added", `Test the connection to ${b.name} next.`);
          }}
        />
      )}
      {backends.data ? (
        backends.data.length === 0 && !adding ? (
          <EmptyState icon="layers" title="No model server yet">
            Add the URL of a Label Studio ML backend (label-studio-ml, e.g. http://localhost:9090).
          </EmptyState>
        ) : (
          backends.data.map((b) => (
            <BackendCard
              key={b.id}
              backend={b}
              onRemoved={() => backends.setData((prev) => prev?.filter((x) => x.id !== b.id))}
              onChanged={(next) =>
                backends.setData((prev) => prev?.map((x) => (x.id === next.id ? next : x)))
              }
            />
          ))
        )
      ) : backends.error ? (
        <ErrorState
          title="Could not load the model servers"
          message={messageOf(backends.error)}
          onRetry={backends.reload}
        />
      ) : (
        <Loading what="the model servers" />
      )}
    </main>
  );
}

function AddBackend({
  projectId,
  onAdded,
  onCancel,
}: {
  projectId: number;
  onAdded: (b: ModelBackend) => void;
  onCancel: () => void;
}) {
  return (
    <BackendEditor
      title="Add a model server"
      submitLabel="Add"
      save={(body) => call("createModelBackend", { params: { projectId }, body })}
      onSaved={onAdded}
      onCancel={onCancel}
    />
  );
}

/** The form that adds a model server, or edits one (`stored`: its secret stays unless a new one is typed). */
function BackendEditor({
  title,
  submitLabel,
  stored,
  save,
  onSaved,
  onCancel,
}: {
  title: string;
  submitLabel: string;
  stored?: ModelBackend;
  save: (body: ModelBackendCreate) => Promise<ModelBackend>;
  onSaved: (b: ModelBackend) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<BackendForm>(stored ? formOf(stored) : EMPTY_FORM);
  const [errors, setErrors] = useState<BackendFormErrors>({});
  const [busy, setBusy] = useState(false);
  const edit = (next: Partial<BackendForm>) => {
    setForm((f) => ({ ...f, ...next }));
    setErrors({});
  };
  const bind = bindTextFields(form, errors, edit);
  const submit = async () => {
    const read = readBackendForm(
      form,
      stored ? { authMethod: stored.authMethod, hasSecret: stored.secretHint !== null } : null,
    );
    if ("errors" in read) {
      setErrors(read.errors);
      return;
    }
    setBusy(true);
    try {
      onSaved(await save(read.body));
    } catch (err) {
      toastError(stored ? "Could not save the model server" : "Could not add the model server", err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-label={title}>
      <div className="card__head">
        <h2 className="card__title">{title}</h2>
      </div>
      <form
        className="settings-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="inline-form settings-numbers">
          <InputField label="Name" autoFocus {...bind("name")} />
          <InputField
            label="URL"
            hint="The backend's base URL; Labelbench calls /health, /setup, /predict and /webhook under it."
            placeholder="http://localhost:9090"
            {...bind("url")}
          />
        </div>
        <div className="inline-form settings-numbers">
          <FormField
            label="Authentication"
            error={undefined}
            hint="How Labelbench signs its requests to the backend."
          >
            {({ id, describedBy }) => (
              <select
                id={id}
                className="select"
                aria-describedby={describedBy}
                value={form.authMethod}
                onChange={(e) => edit({ authMethod: e.target.value as BackendForm["authMethod"] })}
              >
                <option value="none">None</option>
                <option value="basic">Basic (BASIC_AUTH_USER / BASIC_AUTH_PASS)</option>
                <option value="token">Bearer token</option>
              </select>
            )}
          </FormField>
          {form.authMethod === "basic" && <InputField label="User" {...bind("basicUser")} />}
          {form.authMethod !== "none" && (
            <InputField
              label={form.authMethod === "basic" ? "Password" : "Token"}
              type="password"
              autoComplete="off"
              hint={
                stored?.secretHint && stored.authMethod === form.authMethod
                  ? `Stored (${stored.secretHint}); leave blank to keep it.`
                  : "Stored for the backend's requests; never shown again."
              }
              {...bind("secret")}
            />
          )}
        </div>
        <div className="inline-form settings-numbers">
          <InputField
            label="Requests at once"
            hint="At most this many /predict requests in flight."
            inputMode="numeric"
            {...bind("maxConcurrency")}
          />
          <InputField label="Images per request" inputMode="numeric" {...bind("batchSize")} />
          <InputField label="Timeout (seconds)" inputMode="numeric" {...bind("timeoutSeconds")} />
        </div>
        <div className="settings-form__foot">
          <SubmitFooter onCancel={onCancel} busy={busy} busyLabel="Saving">
            {submitLabel}
          </SubmitFooter>
        </div>
      </form>
    </section>
  );
}

function BackendCard({
  backend,
  onRemoved,
  onChanged,
}: {
  backend: ModelBackend;
  onRemoved: () => void;
  onChanged: (b: ModelBackend) => void;
}) {
  const backendId = backend.id;
  const [editing, setEditing] = useState(false);
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [busy, setBusy] = useState<null | "test" | "predict" | "train" | "remove">(null);
  const jobs = useAsync(
    (signal) => call("listModelBackendJobs", { params: { backendId }, signal }).then((r) => r.items),
    [backendId],
    "Could not load the jobs",
  );
  const hooks = useAsync(
    (signal) => call("listModelBackendWebhooks", { params: { backendId }, signal }).then((r) => r.items),
    [backendId],
    "Could not load the webhooks",
  );
  const running = jobs.data?.some(isOpen) ?? false;
  const { reload } = jobs;
  // Progress: polled while a job runs.
  useEffect(() => {
    if (!running) return;
    const t = setInterval(reload, 1000);
    return () => clearInterval(t);
  }, [running, reload]);

  const act = async (what: NonNullable<typeof busy>, run: () => Promise<void>) => {
    setBusy(what);
    try {
      await run();
    } finally {
      setBusy(null);
    }
  };
  const testConnection = () =>
    act("test", async () => {
      try {
        setTest(await call("testModelBackend", { params: { backendId }, body: {} }));
      } catch (err) {
        toastError("Could not test the connection", err);
      }
    });
  const predict = (images: "all" | "unannotated") =>
    act("predict", async () => {
      try {
        const job = await call("startModelBackendJob", { params: { backendId }, body: { images } });
        jobs.setData((prev) => [job, ...(prev ?? [])]);
        toastSuccess(
          "Prediction started",
          `${job.total} image${job.total === 1 ? "" : "s"} queued for ${backend.name}.`,
        );
      } catch (err) {
        toastError("Could not start the prediction", err);
      }
    });
  const train = () =>
    act("train", async () => {
      try {
        const r = await call("trainModelBackend", { params: { backendId } });
        if (r.ok) toastSuccess("Training requested", `${backend.name} received START_TRAINING.`);
        else toastError("The backend refused to train", new Error(r.exchange.error ?? "no answer"));
        hooks.reload();
      } catch (err) {
        toastError("Could not request training", err);
      }
    });
  const remove = () =>
    act("remove", async () => {
      if (!window.confirm(`Disconnect ${backend.name}? Its jobs stop; prediction runs it wrote stay.`))
        return;
      try {
        await call("deleteModelBackend", { params: { backendId } });
        onRemoved();
      } catch (err) {
        toastError("Could not remove the model server", err);
      }
    });
  const cancel = async (job: ModelBackendJob) => {
    try {
      const j = await call("cancelModelBackendJob", { params: { jobId: job.id } });
      jobs.setData((prev) => prev?.map((x) => (x.id === j.id ? j : x)));
    } catch (err) {
      toastError("Could not cancel the job", err);
    }
  };

  return (
    <section className="card model-server" aria-label={`Model server ${backend.name}`}>
      <div className="card__head model-server__head">
        <div>
          <h2 className="card__title">{backend.name}</h2>
          <p className="muted model-server__url">
            <code>{backend.url}</code> ·{" "}
            {backend.authMethod === "none"
              ? "no authentication"
              : `${backend.authMethod} ${backend.secretHint ?? ""}`}{" "}
            · {backend.maxConcurrency} at once · {backend.batchSize} per request
          </p>
        </div>
        <div className="model-server__actions">
          <button
            type="button"
            className="button"
            disabled={busy !== null}
            onClick={() => void testConnection()}
          >
            {busy === "test" && <Spinner label="Testing" />} Test connection
          </button>
          <button
            type="button"
            className="button button--primary"
            disabled={busy !== null || running}
            onClick={() => void predict("unannotated")}
          >
            Predict unannotated
          </button>
          <button
            type="button"
            className="button"
            disabled={busy !== null || running}
            onClick={() => void predict("all")}
          >
            Predict all
          </button>
          <button type="button" className="button" disabled={busy !== null} onClick={() => void train()}>
            Train
          </button>
          <button
            type="button"
            className="button"
            disabled={busy !== null || editing}
            onClick={() => setEditing(true)}
          >
            Edit
          </button>
          <button
            type="button"
            className="button button--danger"
            disabled={busy !== null}
            onClick={() => void remove()}
          >
            Remove
          </button>
        </div>
      </div>
      {editing && (
        <BackendEditor
          title={`Edit ${backend.name}`}
          submitLabel="Save"
          stored={backend}
          save={(body) => call("updateModelBackend", { params: { backendId }, body })}
          onSaved={(b) => {
            setEditing(false);
            onChanged(b);
            toastSuccess("Model server saved");
          }}
          onCancel={() => setEditing(false)}
        />
      )}
      {test && <TestReport test={test} onClose={() => setTest(null)} />}
      <JobList jobs={jobs.data ?? []} onCancel={(j) => void cancel(j)} />
      <WebhookList hooks={hooks.data ?? []} />
    </section>
  );
}

function TestReport({ test, onClose }: { test: ConnectionTest; onClose: () => void }) {
  return (
    <section className="model-test" aria-label="Connection test">
      <div className={`model-test__verdict ${test.ok ? "is-ok" : "is-bad"}`} role="status">
        {test.ok ? (
          <strong>
            Connected: {test.converted} prediction{test.converted === 1 ? "" : "s"} converted
            {test.modelVersion ? ` (model ${test.modelVersion})` : ""}.
          </strong>
        ) : test.mismatch ? (
          <span>
            <strong>First mismatch</strong> ({test.mismatch.step}, <code>{test.mismatch.where}</code>):{" "}
            {test.mismatch.message}
          </span>
        ) : (
          <strong>A request failed: see the exchanges below.</strong>
        )}
        <button type="button" className="button button--small" onClick={onClose}>
          Close
        </button>
      </div>
      {test.problems.length > 1 && (
        <details>
          <summary>All {test.problems.length} problems</summary>
          <ul className="model-test__problems">
            {test.problems.map((p) => (
              <li key={`${p.step}-${p.where}-${p.message}`}>
                <code>{p.where}</code>: {p.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      {test.exchanges.map((e, i) => {
        const t = exchangeText(e);
        return (
          <details key={e.step} className="model-exchange" open={!test.ok && i === test.exchanges.length - 1}>
            <summary>
              <code>
                {e.request.method} {new URL(e.request.url).pathname}
              </code>{" "}
              → {e.response ? `HTTP ${e.response.status}` : "no answer"} · {Math.round(e.ms)} ms
              {e.error && <span className="model-exchange__error"> · {e.error}</span>}
            </summary>
            <div className="model-exchange__body">
              <h4>Request</h4>
              <pre>{t.request}</pre>
              <h4>Response</h4>
              <pre>{t.response}</pre>
            </div>
          </details>
        );
      })}
      <details className="model-exchange">
        <summary>Labelling config sent</summary>
        <pre>{test.labelConfig}</pre>
      </details>
    </section>
  );
}

const STATE_LABEL: Record<ModelBackendJob["state"], string> = {
  queued: "Queued",
  running: "Running",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

function JobList({ jobs, onCancel }: { jobs: ModelBackendJob[]; onCancel: (j: ModelBackendJob) => void }) {
  if (jobs.length === 0) return null;
  return (
    <div className="model-jobs">
      <h3 className="model-jobs__title">Jobs</h3>
      <ul>
        {jobs.map((j) => (
          <li key={j.id} className="model-job">
            <div className="model-job__line">
              <span className={`model-job__state is-${j.state}`}>{STATE_LABEL[j.state]}</span>
              <span>{jobSummary(j)}</span>
              {j.modelVersion && <span className="muted">model {j.modelVersion}</span>}
              {j.runId !== null && <span className="muted">prediction run {j.runId}</span>}
              <span className="muted">{new Date(j.createdAt).toLocaleString()}</span>
              {isOpen(j) && (
                <button type="button" className="button button--small" onClick={() => onCancel(j)}>
                  Cancel
                </button>
              )}
            </div>
            <ProgressBar value={j.done + j.failed} max={j.total} label={`Job ${j.id} progress`} />
            {j.error && <p className="model-job__error">{j.error}</p>}
            {j.problems.length > 0 && (
              <details>
                <summary>
                  {j.problems.length}
                  {j.problemsTruncated ? "+" : ""} problem{j.problems.length === 1 ? "" : "s"}
                </summary>
                <ul className="model-test__problems">
                  {j.problems.map((p, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: problems are a fixed list
                    <li key={i}>
                      {p.imageId !== null && <>image {p.imageId} </>}
                      {p.where && <code>{p.where}</code>}: {p.message}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function WebhookList({ hooks }: { hooks: WebhookDelivery[] }) {
  if (hooks.length === 0) return null;
  const failed = hooks.filter((h) => h.state === "failed").length;
  return (
    <details className="model-jobs">
      <summary>
        Training webhooks: {hooks.length} latest{failed > 0 ? `, ${failed} failed` : ""}
      </summary>
      <ul>
        {hooks.map((h) => (
          <li key={h.id} className="model-job__line">
            <code>{h.action}</code>
            {h.imageId !== null && <span>image {h.imageId}</span>}
            <span
              className={`model-job__state is-${h.state === "delivered" ? "done" : h.state === "failed" ? "failed" : "queued"}`}
            >
              {h.state}
            </span>
            <span className="muted">
              {h.attempts} attempt{h.attempts === 1 ? "" : "s"}
            </span>
            {h.lastError && <span className="model-job__error">{h.lastError}</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}
