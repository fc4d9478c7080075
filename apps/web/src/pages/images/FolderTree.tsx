import type { FolderList } from "@labelbench/schema";
import { useMemo, useState } from "react";
import { formatCount } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { ancestorsOf, buildFolderTree, type FolderNode } from "./folder-tree";
import "./library-bulk.css";

/**
 * The folders of the images' paths, beside the library: counts include sub-folders, a click shows
 * the folder (and its sub-folders) in the library. A tree in the ARIA sense: one tab stop, arrows
 * move, Right/Left expand and collapse, Enter or Space opens.
 */
export function FolderTree({
  list,
  current,
  onPick,
}: {
  list: FolderList;
  current: string;
  onPick: (folder: string) => void;
}) {
  const tree = useMemo(() => buildFolderTree(list), [list]);
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set(ancestorsOf(current)));
  const toggle = (path: string, to?: boolean) =>
    setOpen((s) => {
      const next = new Set(s);
      if (to ?? !next.has(path)) next.add(path);
      else next.delete(path);
      return next;
    });
  // The rows as shown (collapsed folders hide their children), for arrow keys.
  const rows: FolderNode[] = [];
  const walk = (nodes: FolderNode[]) => {
    for (const n of nodes) {
      rows.push(n);
      if (open.has(n.path)) walk(n.children);
    }
  };
  walk(tree);
  const all: FolderNode = { name: "All images", path: "", images: list.total, children: [] };
  const order = [all, ...rows];
  const focusRow = (path: string) =>
    document.querySelector<HTMLElement>(`[data-folder-path="${CSS.escape(path)}"]`)?.focus();
  const onKey = (e: React.KeyboardEvent, n: FolderNode) => {
    const i = order.findIndex((r) => r.path === n.path);
    const go = (j: number) => {
      const r = order[j];
      if (r) focusRow(r.path);
    };
    if (e.key === "ArrowDown") go(i + 1);
    else if (e.key === "ArrowUp") go(i - 1);
    else if (e.key === "ArrowRight" && n.children.length > 0) toggle(n.path, true);
    else if (e.key === "ArrowLeft") {
      if (open.has(n.path)) toggle(n.path, false);
      else {
        const parent = ancestorsOf(n.path).at(-2);
        if (parent) focusRow(parent);
      }
    } else if (e.key === "Enter" || e.key === " ") onPick(n.path);
    else return;
    e.preventDefault();
  };
  const item = (n: FolderNode, depth: number) => {
    const expanded = n.children.length > 0 ? open.has(n.path) : undefined;
    const selected = n.path === current;
    return (
      <div key={n.path || "(all)"} role="none">
        <div
          role="treeitem"
          aria-level={depth + 1}
          aria-expanded={expanded}
          aria-selected={selected}
          aria-label={`${n.name}, ${formatCount(n.images)} images`}
          tabIndex={selected ? 0 : -1}
          data-folder-path={n.path}
          className={`folder-tree__row${selected ? " is-current" : ""}`}
          style={{ paddingInlineStart: 8 + depth * 14 }}
          onClick={() => onPick(n.path)}
          onKeyDown={(e) => onKey(e, n)}
        >
          {n.children.length > 0 ? (
            <button
              type="button"
              tabIndex={-1}
              className="folder-tree__twisty"
              aria-label={expanded ? `Collapse ${n.name}` : `Expand ${n.name}`}
              onClick={(e) => {
                e.stopPropagation();
                toggle(n.path);
              }}
            >
              <Icon name="chevronDown" size={14} className={expanded ? "" : "is-collapsed"} />
            </button>
          ) : (
            <span className="folder-tree__twisty" aria-hidden="true" />
          )}
          <Icon name={n.path === "" ? "image" : "folder"} size={14} />
          <span className="folder-tree__name">{n.name}</span>
          <span className="folder-tree__count">{formatCount(n.images)}</span>
        </div>
        {expanded && (
          // biome-ignore lint/a11y/useSemanticElements: a tree's sub-list is an ARIA group, not a fieldset
          <div role="group" className="folder-tree__list">
            {n.children.map((c) => item(c, depth + 1))}
          </div>
        )}
      </div>
    );
  };
  return (
    <nav className="folder-tree" aria-label="Folders">
      <h2 className="folder-tree__title">Folders</h2>
      <div role="tree" aria-label="Folders" className="folder-tree__list">
        {item(all, 0)}
        {tree.map((n) => item(n, 0))}
      </div>
      {tree.length === 0 && (
        <p className="folder-tree__empty">Images uploaded inside folders appear here by folder.</p>
      )}
    </nav>
  );
}
