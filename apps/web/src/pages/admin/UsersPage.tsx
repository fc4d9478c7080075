import type { Role, User } from "@labelbench/schema";
import { useState } from "react";
import { call } from "../../api/client";
import { ROLE_CHOICES, ROLE_LABEL } from "../../auth/permissions";
import { useMe, useSession } from "../../auth/session-store";
import { Avatar } from "../../auth/UserMenu";
import { formatRelative, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { ErrorState, Loading } from "../../ui/parts";
import { messageOf, toastError, toastSuccess } from "../../ui/toast-store";
import { useAsync } from "../../ui/useAsync";
import { useTitle } from "../../ui/useTitle";
import { CreateUserDialog, DeactivateDialog, DemoteSelfDialog, ResetPasswordDialog } from "./UserDialogs";
import { replaceUser, sortUsers, summarizeUsers } from "./users-model";
import "../../auth/accounts.css";

type Modal =
  | { kind: "create" }
  | { kind: "reset"; user: User }
  | { kind: "deactivate"; user: User }
  | { kind: "demoteSelf"; user: User; role: Role }
  | null;

const ROLES = ROLE_CHOICES;

export function UsersPage() {
  useTitle("Users");
  const me = useMe();
  const refreshMe = useSession((s) => s.refreshMe);
  const users = useAsync((signal) => call("listUsers", { signal }), [], "Could not load users");
  const [modal, setModal] = useState<Modal>(null);
  const [busyId, setBusyId] = useState<number | null>(null);
  const items = sortUsers(users.data?.items ?? []);
  const close = () => setModal(null);

  const applied = (u: User) => {
    users.setData((d) => d && { items: replaceUser(d.items, u) });
    if (u.id === me.user.id) void refreshMe();
  };

  /** One PATCH per action; the server's refusal (e.g. the last admin) is shown in its own words. */
  const patch = async (
    user: User,
    body: { role?: Role; active?: boolean },
    done: string,
    failed: string,
  ): Promise<void> => {
    setBusyId(user.id);
    try {
      const updated = await call("updateUser", { params: { userId: user.id }, body });
      applied(updated);
      toastSuccess(done);
      close();
    } catch (err) {
      toastError(failed, err);
    } finally {
      setBusyId(null);
    }
  };

  const changeRole = (user: User, role: Role) => {
    if (role === user.role) return;
    if (user.id === me.user.id && user.role === "admin") {
      setModal({ kind: "demoteSelf", user, role });
      return;
    }
    void patch(
      user,
      { role },
      `${user.name} is now ${ROLE_LABEL[role].toLowerCase()}`,
      `Could not change the role of ${user.name}`,
    );
  };

  return (
    <main id="main" className="page page--medium">
      <div className="page-header">
        <div>
          <h1 className="page-title">Users</h1>
          <p className="page-subtitle">
            {users.data
              ? `${plural(items.length, "account")}: ${summarizeUsers(items)}`
              : "Everyone who can sign in to this server, and what their role lets them do."}
          </p>
        </div>
        <button type="button" className="button button--primary" onClick={() => setModal({ kind: "create" })}>
          <Icon name="plus" size={16} /> Add user
        </button>
      </div>

      {users.data === undefined ? (
        users.error ? (
          <ErrorState title="Could not load users" message={messageOf(users.error)} onRetry={users.reload} />
        ) : (
          <Loading what="users" />
        )
      ) : (
        <section className="card card--flush" aria-label="Users">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => {
                const isSelf = u.id === me.user.id;
                const busy = busyId === u.id;
                return (
                  <tr key={u.id} className={u.active ? undefined : "is-inactive"} data-user={u.email}>
                    <td>
                      <div className="person">
                        <Avatar name={u.name} email={u.email} />
                        <div className="person__text">
                          <span className="person__name">
                            {u.name}
                            {isSelf && <span className="you-tag">you</span>}
                          </span>
                          <span className="person__email">{u.email}</span>
                        </div>
                      </div>
                    </td>
                    <td>
                      <select
                        className="input select select--compact"
                        aria-label={`Role of ${u.name}`}
                        value={u.role}
                        disabled={busy}
                        onChange={(e) => changeRole(u, e.target.value as Role)}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABEL[r]}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      {u.active ? (
                        <span className="pill pill--ok">
                          <span className="pill__dot" /> Active
                        </span>
                      ) : (
                        <span className="pill pill--off">
                          <span className="pill__dot" /> Deactivated
                        </span>
                      )}
                    </td>
                    <td className="muted" title={new Date(u.createdAt).toLocaleString()}>
                      {formatRelative(u.createdAt)}
                    </td>
                    <td className="data-table__actions">
                      <button
                        type="button"
                        className="button button--small"
                        disabled={busy}
                        onClick={() => setModal({ kind: "reset", user: u })}
                      >
                        Reset password
                      </button>
                      {u.active ? (
                        <button
                          type="button"
                          className="button button--small"
                          disabled={busy || isSelf}
                          title={isSelf ? "You cannot deactivate yourself" : undefined}
                          onClick={() => setModal({ kind: "deactivate", user: u })}
                        >
                          Deactivate
                        </button>
                      ) : (
                        <button
                          type="button"
                          className="button button--small"
                          disabled={busy}
                          onClick={() =>
                            void patch(
                              u,
                              { active: true },
                              `${u.name} can sign in again`,
                              `Could not reactivate ${u.name}`,
                            )
                          }
                        >
                          Reactivate
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}

      {modal?.kind === "create" && (
        <CreateUserDialog
          onClose={close}
          onCreated={(u) => {
            users.setData((d) => d && { items: [...d.items, u] });
            close();
          }}
        />
      )}
      {modal?.kind === "reset" && (
        <ResetPasswordDialog
          user={modal.user}
          isSelf={modal.user.id === me.user.id}
          onClose={close}
          onDone={(u) => {
            close();
            // Resetting one's own password ends this session too: asking the server shows it.
            if (u.id === me.user.id) void refreshMe();
            else applied(u);
          }}
        />
      )}
      {modal?.kind === "deactivate" && (
        <DeactivateDialog
          user={modal.user}
          busy={busyId === modal.user.id}
          onClose={close}
          onConfirm={() =>
            void patch(
              modal.user,
              { active: false },
              `${modal.user.name} is deactivated`,
              `Could not deactivate ${modal.user.name}`,
            )
          }
        />
      )}
      {modal?.kind === "demoteSelf" && (
        <DemoteSelfDialog
          role={modal.role}
          busy={busyId === modal.user.id}
          onClose={close}
          onConfirm={() =>
            void patch(
              modal.user,
              { role: modal.role },
              `You are now ${ROLE_LABEL[modal.role].toLowerCase()}`,
              "Could not change your role",
            )
          }
        />
      )}
    </main>
  );
}
