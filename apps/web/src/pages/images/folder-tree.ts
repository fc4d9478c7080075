import type { FolderList } from "@labelbench/schema";

/** A folder of the tree: its own name, its path (`cam_a/day1/`), images in it and below it. */
export interface FolderNode {
  name: string;
  path: string;
  /** Images in this folder and all its sub-folders (what a click on it shows). */
  images: number;
  children: FolderNode[];
}

/**
 * The folder tree of a project from the server's flat list (images directly in each folder): every
 * ancestor exists even when it holds no image itself, counts add up from the leaves, siblings sort
 * by name (byte order, as the server's paths).
 */
export const buildFolderTree = (list: FolderList): FolderNode[] => {
  const byPath = new Map<string, FolderNode>();
  const roots: FolderNode[] = [];
  const nodeOf = (path: string): FolderNode => {
    const found = byPath.get(path);
    if (found) return found;
    const inner = path.slice(0, -1);
    const cut = inner.lastIndexOf("/");
    const node: FolderNode = { name: inner.slice(cut + 1), path, images: 0, children: [] };
    byPath.set(path, node);
    if (cut < 0) roots.push(node);
    else nodeOf(inner.slice(0, cut + 1)).children.push(node);
    return node;
  };
  for (const f of list.folders) {
    nodeOf(f.path);
    // The images count for the folder and every ancestor.
    for (let p = f.path; p !== ""; p = p.slice(0, p.slice(0, -1).lastIndexOf("/") + 1)) {
      const n = byPath.get(p) ?? nodeOf(p);
      n.images += f.images;
    }
  }
  const sort = (nodes: FolderNode[]) => {
    nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const n of nodes) sort(n.children);
  };
  sort(roots);
  return roots;
};

/** The folders a path lies in, outermost first: `a/b/` → [`a/`, `a/b/`]. */
export const ancestorsOf = (path: string): string[] => {
  const out: string[] = [];
  let cut = path.indexOf("/");
  while (cut > 0) {
    out.push(path.slice(0, cut + 1));
    cut = path.indexOf("/", cut + 1);
  }
  return out;
};
