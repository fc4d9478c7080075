import type { BulkAction, BulkResult, Image } from "@labelbench/schema";
import { useEffect, useId, useState } from "react";
import { InputField } from "../../auth/FormField";
import { Dialog, SubmitFooter } from "../../ui/Dialog";
import { plural } from "../../ui/format";
import { Spinner } from "../../ui/parts";
import { toastError, toastSuccess } from "../../ui/toast-store";
import { bulkSummary, deleteQuestion } from "./bulk-actions";

export type SendBulk = (action: BulkAction, dryRun?: boolean) => Promise<BulkResult>;

/** A bulk action's outcome as a toast: success, or an error toast naming the images not changed. */
export const reportBulk = (title: string, r: BulkResult) => {
  const { text, failed } = bulkSummary(r);
  if (failed > 0) toastError("Some images were not changed", new Error(text));
  else toastSuccess(title, text);
};

/**
 * Delete: a dry run first, so the question names how many images and annotations go; the delete
 * then carries those numbers and the server refuses it if the selection changed meanwhile.
 */
export function DeleteDialog({
  send,
  onDone,
  onClose,
}: {
  send: SendBulk;
  onDone: () => void;
  onClose: () => void;
}) {
  const [numbers, setNumbers] = useState<{ images: number; annotations: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: one preview per opening
  useEffect(() => {
    let live = true;
    send({ kind: "delete" }, true).then(
      (r) => live && setNumbers({ images: r.matched, annotations: r.annotations ?? 0 }),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, []);
  const submit = async () => {
    if (!numbers) return;
    setBusy(true);
    try {
      reportBulk("Deleted", await send({ kind: "delete", confirm: numbers }));
      onDone();
    } catch (err) {
      toastError("Nothing was deleted", err);
      onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onClose={onClose}
      tone="danger"
      title={numbers ? deleteQuestion(numbers.images, numbers.annotations) : "Delete images"}
      description="The images, their annotations, tags and review history go for good. Files other projects use stay."
      onSubmit={() => void submit()}
      footer={
        <SubmitFooter
          onCancel={onClose}
          busy={busy}
          busyLabel="Deleting"
          disabled={numbers === null}
          tone="danger"
        >
          {numbers ? `Delete ${plural(numbers.images, "image")}` : "Counting…"}
        </SubmitFooter>
      }
    >
      {error ? (
        <p className="text-danger">{error}</p>
      ) : numbers === null ? (
        <p>
          <Spinner label="Counting" /> Counting the images and annotations…
        </p>
      ) : (
        <p data-testid="delete-numbers">
          {plural(numbers.images, "image")} · {plural(numbers.annotations, "annotation")}
        </p>
      )}
    </Dialog>
  );
}

/** Move to a folder: the images keep their file names; a name collision refuses the whole move. */
export function MoveDialog({
  count,
  folders,
  initial,
  send,
  onDone,
  onClose,
}: {
  count: number;
  folders: string[];
  initial: string;
  send: SendBulk;
  onDone: () => void;
  onClose: () => void;
}) {
  const [folder, setFolder] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const listId = useId();
  const submit = async () => {
    setBusy(true);
    try {
      reportBulk("Moved", await send({ kind: "move", folder }));
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Move ${plural(count, "image")} to a folder`}
      description="The images keep their file names. Nothing moves if two would end up with the same name."
      onSubmit={() => void submit()}
      footer={
        <SubmitFooter onCancel={onClose} busy={busy} busyLabel="Moving">
          Move
        </SubmitFooter>
      }
    >
      <InputField
        label="Folder"
        hint='Like "cam_a/day1"; empty: the top of the library.'
        error={error}
        list={listId}
        placeholder="cam_a/day1"
        value={folder}
        autoFocus
        onChange={(e) => {
          setFolder(e.target.value);
          setError(undefined);
        }}
      />
      <datalist id={listId}>
        {folders.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
    </Dialog>
  );
}

/** Rename one image: the server applies the upload's name rules and refuses a name in use. */
export function RenameDialog({
  image,
  rename,
  onDone,
  onClose,
}: {
  image: Image;
  rename: (fileName: string) => Promise<unknown>;
  onDone: () => void;
  onClose: () => void;
}) {
  const [name, setName] = useState(image.fileName);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      await rename(name.trim());
      toastSuccess("Renamed", name.trim());
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title="Rename image"
      description='Its path in the library: folders separated by "/".'
      onSubmit={() => void submit()}
      footer={
        <SubmitFooter onCancel={onClose} busy={busy} busyLabel="Renaming" disabled={name.trim() === ""}>
          Rename
        </SubmitFooter>
      }
    >
      <InputField
        label="File name"
        error={error}
        value={name}
        autoFocus
        onChange={(e) => {
          setName(e.target.value);
          setError(undefined);
        }}
      />
    </Dialog>
  );
}
