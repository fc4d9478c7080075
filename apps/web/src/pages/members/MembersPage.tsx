import type { Member, User } from "@labelbench/schema";
import { useId, useState } from "react";
import { call } from "../../api/client";
import { ROLE_LABEL } from "../../auth/permissions";
import { useMe } from "../../auth/session-store";
import { Avatar } from "../../auth/UserMenu";
import { useProject } from "../../project/project-context";
import { formatRelative, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { EmptyState, ErrorState, Loading, Spinner } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { candidates, sortMembers, withMember, withoutMember } from "./members-model";
import "../../auth/accounts.css";

/** Who works on a project, and what annotators may do there. For managers and admins. */
export function MembersPage() {
  const { project } = useProject();
  useTitle("Members", project.name);
  const projectId = project.id;
  const me = useMe();
  const members = useAsync(
    (signal) => call("listMembers", { params: { projectId }, signal }).then((r) => sortMembers(r.items)),
    [projectId],
    "Could not load the members",
  );
  const users = useAsync((signal) => call("listUsers", { signal }), [], "Could not load the list of users");
  const [removing, setRemoving] = useState<number | null>(null);

  const remove = async (m: Member) => {
    setRemoving(m.userId);
    try {
      await call("removeMember", { params: { projectId }, query: { userId: m.userId } });
      members.setData((prev) => prev && withoutMember(prev, m.userId));
      toastSuccess(`Removed ${m.name} from ${project.name}`);
    } catch (err) {
      toastError(`Could not remove ${m.name}`, err);
    } finally {
      setRemoving(null);
    }
  };

  const list = members.data;
  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <h1 className="page-title">Members</h1>
          <p className="page-subtitle">
            Annotators see only the projects they are members of. Managers and admins can open every project.
          </p>
        </div>
      </div>

      <div className="section-stack">
        <ExportSetting />

        <section className="card card--flush" aria-labelledby="members-title">
          <div className="card__head card__head--padded">
            <h2 id="members-title" className="card__title">
              {list ? plural(list.length, "member") : "Members"}
            </h2>
          </div>
          <div className="card__section">
            <AddMember
              options={list && users.data ? candidates(users.data.items, list) : null}
              usersError={users.error ? messageOf(users.error) : null}
              onAdded={(m) => members.setData((prev) => prev && withMember(prev, m))}
            />
          </div>
          {list === undefined ? (
            members.error ? (
              <ErrorState
                title="Could not load the members"
                message={messageOf(members.error)}
                onRetry={members.reload}
              />
            ) : (
              <Loading what="members" />
            )
          ) : list.length === 0 ? (
            <EmptyState icon="users" title="No members yet">
              Add the annotators who should work on this project.
            </EmptyState>
          ) : (
            <table className="data-table" aria-labelledby="members-title">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((m) => (
                  <tr key={m.userId} data-member={m.email}>
                    <td>
                      <div className="person">
                        <Avatar name={m.name} email={m.email} />
                        <div className="person__text">
                          <span className="person__name">
                            {m.name}
                            {m.userId === me.user.id && <span className="you-tag">you</span>}
                          </span>
                          <span className="person__email">{m.email}</span>
                        </div>
                      </div>
                    </td>
                    <td>
                      <span className={`role-badge role-badge--${m.role}`}>{ROLE_LABEL[m.role]}</span>
                    </td>
                    <td className="muted">{formatRelative(m.addedAt)}</td>
                    <td className="data-table__actions">
                      <button
                        type="button"
                        className="button button--small"
                        disabled={removing === m.userId}
                        aria-label={`Remove ${m.name}`}
                        onClick={() => void remove(m)}
                      >
                        {removing === m.userId && <Spinner label="Removing" />} Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </main>
  );
}

function AddMember({
  options,
  usersError,
  onAdded,
}: {
  options: User[] | null;
  usersError: string | null;
  onAdded: (m: Member) => void;
}) {
  const { project } = useProject();
  const selectId = useId();
  const [picked, setPicked] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = options?.find((u) => u.id === picked) ?? null;

  const add = async () => {
    if (!chosen) return;
    setBusy(true);
    try {
      const m = await call("addMember", { params: { projectId: project.id }, body: { userId: chosen.id } });
      onAdded(m);
      setPicked(null);
      toastSuccess(`Added ${m.name} to ${project.name}`);
    } catch (err) {
      toastError(`Could not add ${chosen.name}`, err);
    } finally {
      setBusy(false);
    }
  };

  if (usersError) return <p className="field__error">Cannot list users to add: {usersError}</p>;
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void add();
      }}
    >
      <div className="field">
        <label htmlFor={selectId} className="field__label">
          Add a member
        </label>
        <select
          id={selectId}
          className="input select"
          value={picked ?? ""}
          disabled={!options || options.length === 0}
          onChange={(e) => setPicked(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">
            {!options
              ? "Loading users…"
              : options.length === 0
                ? "Everyone is already a member"
                : "Choose a user…"}
          </option>
          {options?.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} · {u.email} · {ROLE_LABEL[u.role]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button--primary" disabled={!chosen || busy}>
        {busy ? <Spinner label="Adding" /> : <Icon name="plus" size={16} />} Add
      </button>
    </form>
  );
}

/** The per-project switch that lets annotator members download exports (off by default). */
function ExportSetting() {
  const { project, reloadProject } = useProject();
  const [value, setValue] = useState(project.annotatorsCanExport);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const change = async (next: boolean) => {
    setValue(next);
    setBusy(true);
    try {
      await call("updateProject", { params: { projectId: project.id }, body: { annotatorsCanExport: next } });
      toastSuccess(
        next ? "Annotators may now export this project" : "Only managers and admins may export now",
      );
      reloadProject();
    } catch (err) {
      setValue(!next);
      toastError("Could not change the export setting", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card__head">
        <h2 id={`${id}-title`} className="card__title">
          Access
        </h2>
      </div>
      <div className={`choice${value ? " is-selected" : ""}`}>
        <label className="choice__main">
          <input
            type="checkbox"
            checked={value}
            disabled={busy}
            onChange={(e) => void change(e.target.checked)}
          />
          <span className="choice__body">
            <strong>Annotators may export</strong>
            <span className="choice__text">
              Annotator members can download this project's annotations as COCO, YOLO or Pascal VOC. Off by
              default: exports contain every image's annotations.
            </span>
          </span>
        </label>
      </div>
    </section>
  );
}
