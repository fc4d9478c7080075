import { create } from "zustand";
import { ApiError } from "../api/client";

export type ToastKind = "error" | "success" | "info";

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
}

interface ToastStore {
  toasts: Toast[];
  push(t: Omit<Toast, "id">): number;
  dismiss(id: number): void;
}

/** Errors stay until read for longer; confirmations get out of the way quickly. */
const LIFETIME_MS: Record<ToastKind, number> = { error: 9000, success: 3500, info: 5000 };
const MAX_VISIBLE = 4;
let nextId = 1;

export const useToasts = create<ToastStore>((set, get) => ({
  toasts: [],
  push(t) {
    const id = nextId++;
    set({ toasts: [...get().toasts, { ...t, id }].slice(-MAX_VISIBLE) });
    setTimeout(() => get().dismiss(id), LIFETIME_MS[t.kind]);
    return id;
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((x) => x.id !== id) });
  },
}));

/** The server's own words when there are some; the error envelope's message is written for users. */
export const messageOf = (err: unknown): string => {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
};

const isAbort = (err: unknown) => err instanceof DOMException && err.name === "AbortError";

export const toastError = (title: string, err: unknown) => {
  if (isAbort(err)) return;
  useToasts.getState().push({ kind: "error", title, message: messageOf(err) });
};

export const toastSuccess = (title: string, message?: string) =>
  useToasts
    .getState()
    .push(message === undefined ? { kind: "success", title } : { kind: "success", title, message });
