import { compareNatural } from "@labelbench/schema";

/**
 * Flattens what the user dropped (files and whole folders) into a list of files with their paths.
 *
 * Browsers expose dropped folders only through the entries API (`DataTransferItem.webkitGetAsEntry`),
 * whose callbacks are wrapped here. The shapes below are the parts of FileSystemEntry this module
 * uses, generic over the file type so tests can walk a fake tree.
 */

export interface EntryLike<F> {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
  readonly fullPath: string;
  file?(success: (file: F) => void, failure?: (err: unknown) => void): void;
  createReader?(): {
    readEntries(success: (entries: EntryLike<F>[]) => void, failure?: (err: unknown) => void): void;
  };
}

export interface WalkedFile<F> {
  file: F;
  /** Path relative to the drop, without a leading slash: "shoot/day1/img_001.jpg". */
  path: string;
}

export interface Walked<F> {
  files: WalkedFile<F>[];
  /** What was left out and why (hidden system files, unreadable entries). */
  skipped: { path: string; reason: string }[];
}

const relative = (fullPath: string, name: string) => (fullPath ? fullPath.replace(/^\/+/, "") : name);

/** Files like .DS_Store, Thumbs.db or desktop.ini ride along in folders but are never images to label. */
export const isSystemFile = (name: string) =>
  name.startsWith(".") || /^(thumbs\.db|desktop\.ini)$/i.test(name);

/** Chrome hands out a directory's entries in chunks of 100: read until an empty chunk. */
const readAll = async <F>(dir: EntryLike<F>): Promise<EntryLike<F>[]> => {
  const reader = dir.createReader?.();
  if (!reader) return [];
  const all: EntryLike<F>[] = [];
  for (;;) {
    const chunk = await new Promise<EntryLike<F>[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) return all;
    all.push(...chunk);
  }
};

const fileOf = <F>(entry: EntryLike<F>): Promise<F> =>
  new Promise((resolve, reject) => {
    if (!entry.file) reject(new Error("entry has no file"));
    else entry.file(resolve, reject);
  });

/**
 * Walks entries depth-first. Within a folder, entries go in natural name order (img2 before img10)
 * so the upload order, and with it the library's order, follows what the user sees in their file manager.
 */
export const walkEntries = async <F>(roots: readonly EntryLike<F>[]): Promise<Walked<F>> => {
  const out: Walked<F> = { files: [], skipped: [] };
  const visit = async (entry: EntryLike<F>): Promise<void> => {
    const path = relative(entry.fullPath, entry.name);
    if (isSystemFile(entry.name)) {
      if (entry.isFile) out.skipped.push({ path, reason: "hidden or system file" });
      return;
    }
    if (entry.isDirectory) {
      let children: EntryLike<F>[];
      try {
        children = await readAll(entry);
      } catch (err) {
        out.skipped.push({ path, reason: `folder could not be read: ${(err as Error)?.message ?? err}` });
        return;
      }
      children.sort((a, b) => compareNatural(a.name, b.name));
      for (const child of children) await visit(child);
      return;
    }
    if (!entry.isFile) return;
    try {
      out.files.push({ file: await fileOf(entry), path });
    } catch (err) {
      out.skipped.push({ path, reason: `file could not be read: ${(err as Error)?.message ?? err}` });
    }
  };
  for (const root of roots) await visit(root);
  return out;
};

/** The slice of DataTransfer this module reads; real ones fit, tests pass plain objects. */
export interface DropLike<F> {
  readonly items?: ArrayLike<{
    readonly kind: string;
    webkitGetAsEntry?(): EntryLike<F> | null;
    getAsFile(): F | null;
  }>;
  readonly files?: ArrayLike<F>;
}

/**
 * Collects a drop. Must be called synchronously inside the drop handler: items turn unreadable once
 * the event returns, so entries are taken first and walked afterwards.
 */
export const collectDrop = <F extends { name: string }>(dt: DropLike<F>): Promise<Walked<F>> => {
  const roots: EntryLike<F>[] = [];
  const loose: WalkedFile<F>[] = [];
  const items = dt.items ? Array.from(dt.items) : [];
  for (const item of items) {
    if (item.kind !== "file") continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) roots.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push({ file: f, path: f.name });
    }
  }
  if (items.length === 0 && dt.files) {
    for (const f of Array.from(dt.files)) loose.push({ file: f, path: f.name });
  }
  return walkEntries(roots).then((w) => ({ files: [...loose, ...w.files], skipped: w.skipped }));
};

/** Files from an <input type=file> (with `webkitdirectory`, each carries its folder path). */
export const fromFileList = <F extends { name: string; webkitRelativePath?: string }>(
  list: ArrayLike<F>,
): Walked<F> => {
  const out: Walked<F> = { files: [], skipped: [] };
  for (const f of Array.from(list)) {
    const path = f.webkitRelativePath || f.name;
    if (isSystemFile(f.name)) out.skipped.push({ path, reason: "hidden or system file" });
    else out.files.push({ file: f, path });
  }
  return out;
};

/** Files in natural order of their paths (the server's name order): what an upload sends first. */
export const sortByPath = <F>(files: readonly WalkedFile<F>[]): WalkedFile<F>[] =>
  [...files].sort((a, b) => compareNatural(a.path, b.path));
