import type { AssignRequest, AssignResult, Member } from "@labelbench/schema";
import { useState } from "react";
import { FormField, InputField } from "../../auth/FormField";
import { ROLE_LABEL } from "../../auth/permissions";
import { Dialog, SubmitFooter } from "../../ui/Dialog";
import { plural } from "../../ui/format";
import { toastError, toastSuccess } from "../../ui/toast-store";
import { batchRequest, type LibraryFilter, resultSummary } from "./selection";

type Send = (req: AssignRequest) => Promise<AssignResult>;

/** Reports an assignment's per-image results: a success toast, or an error toast when some were refused. */
const report = (r: AssignResult, who: string | null) => {
  const { text, refused } = resultSummary(r, who);
  if (refused > 0) toastError("Some images were not changed", new Error(text));
  else toastSuccess(who === null ? "Unassigned" : `Assigned to ${who}`, text);
};

function MemberPicker({
  members,
  value,
  onChange,
  error,
}: {
  members: Member[];
  value: number | null;
  onChange: (id: number | null) => void;
  error: string | undefined;
}) {
  return (
    <FormField
      label="Assign to"
      hint={members.length === 0 ? "Add annotators on the Members page first." : "Members of this project."}
      error={error}
    >
      {({ id, describedBy }) => (
        <select
          id={id}
          className="input select"
          aria-describedby={describedBy}
          value={value ?? ""}
          onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))}
        >
          <option value="" disabled>
            Choose a member…
          </option>
          {members.map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.name} · {ROLE_LABEL[m.role]}
            </option>
          ))}
        </select>
      )}
    </FormField>
  );
}

/** "Assign to…" for the library's selection. */
export function AssignDialog({
  count,
  members,
  request,
  send,
  onDone,
  onClose,
}: {
  count: number;
  members: Member[];
  request: (assigneeId: number) => AssignRequest;
  send: Send;
  onDone: () => void;
  onClose: () => void;
}) {
  const [assignee, setAssignee] = useState<number | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (assignee === null) return setError("Choose who annotates these images.");
    setBusy(true);
    try {
      report(await send(request(assignee)), members.find((m) => m.userId === assignee)?.name ?? null);
      onDone();
    } catch (err) {
      toastError("Could not assign the images", err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Assign ${plural(count, "image")}`}
      description="Only this person can annotate them until they submit; images already accepted or waiting for review are left as they are."
      onSubmit={() => void submit()}
      footer={
        <SubmitFooter onCancel={onClose} busy={busy} busyLabel="Assigning">
          Assign
        </SubmitFooter>
      }
    >
      <MemberPicker members={members} value={assignee} onChange={setAssignee} error={error} />
    </Dialog>
  );
}

/** "Assign a batch": the first N unassigned images of a folder (within the library's filter) to one person. */
export function BatchDialog({
  members,
  folders,
  filter,
  send,
  onDone,
  onClose,
}: {
  members: Member[];
  folders: string[];
  filter: LibraryFilter;
  send: Send;
  onDone: () => void;
  onClose: () => void;
}) {
  const [assignee, setAssignee] = useState<number | null>(null);
  const [count, setCount] = useState("50");
  const [folder, setFolder] = useState("");
  const [errors, setErrors] = useState<{ assignee?: string; count?: string }>({});
  const [busy, setBusy] = useState(false);
  const listId = "batch-folders";
  const submit = async () => {
    const n = Number(count);
    const next: typeof errors = {};
    if (assignee === null) next.assignee = "Choose who annotates the batch.";
    if (!Number.isInteger(n) || n < 1 || n > 10_000)
      next.count = "A whole number of images from 1 to 10,000.";
    setErrors(next);
    if (assignee === null || next.count) return;
    setBusy(true);
    try {
      const r = await send(batchRequest(assignee, n, folder, filter));
      if (r.results.length === 0)
        toastError("No image to assign", new Error("every matching image is already assigned"));
      else report(r, members.find((m) => m.userId === assignee)?.name ?? null);
      onDone();
    } catch (err) {
      toastError("Could not assign the batch", err);
    } finally {
      setBusy(false);
    }
  };
  const scope = [
    filter.status && `status ${filter.status.replace("_", " ")}`,
    filter.q && `names containing "${filter.q}"`,
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <Dialog
      open
      onClose={onClose}
      title="Assign a batch"
      description={`The first images in name order that nobody holds yet${scope ? `, among ${scope}` : ""}.`}
      onSubmit={() => void submit()}
      footer={
        <SubmitFooter onCancel={onClose} busy={busy} busyLabel="Assigning">
          Assign batch
        </SubmitFooter>
      }
    >
      <div className="settings-form">
        <MemberPicker members={members} value={assignee} onChange={setAssignee} error={errors.assignee} />
        <div className="inline-form inline-form--top">
          <InputField
            label="Images"
            error={errors.count}
            inputMode="numeric"
            value={count}
            onChange={(e) => setCount(e.target.value)}
          />
          <InputField
            label="Folder"
            optional
            hint="Empty: the whole library."
            error={undefined}
            list={listId}
            placeholder="cam_a/"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
          />
          <datalist id={listId}>
            {folders.map((f) => (
              <option key={f} value={f} />
            ))}
          </datalist>
        </div>
      </div>
    </Dialog>
  );
}
