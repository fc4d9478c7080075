import type { Editor, ToolId } from "@labelbench/editor";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { useStore } from "zustand";
import { APP_COMMANDS } from "./app-commands";
import { EdIcon, type EdIconName } from "./icons";
import { withShortcut } from "./keys-display";
import { useReadout } from "./use-readout";

const TOOLS: { id: ToolId; label: string; icon: EdIconName; command: string }[] = [
  { id: "select", label: "Select", icon: "select", command: "tool.select" },
  { id: "box", label: "Box", icon: "box", command: "tool.box" },
  { id: "polygon", label: "Polygon", icon: "polygon", command: "tool.polygon" },
  { id: "pan", label: "Pan", icon: "pan", command: "tool.pan" },
];

/** Buttons never take focus from the canvas: keyboard-first work must not be interrupted by a click. */
const keepFocus = (e: React.MouseEvent) => e.preventDefault();

function ToolButton(props: {
  label: string;
  icon: EdIconName;
  onClick: () => void;
  active?: boolean;
  disabled?: boolean;
  testId?: string;
  children?: ReactNode;
}) {
  return (
    <button
      type="button"
      className={`ed-tbtn${props.active ? " is-active" : ""}`}
      title={props.label}
      aria-label={props.label}
      aria-pressed={props.active}
      disabled={props.disabled}
      onMouseDown={keepFocus}
      onClick={props.onClick}
      data-testid={props.testId}
    >
      <EdIcon name={props.icon} />
      {props.children}
    </button>
  );
}

export interface NavState {
  previousId: number | null;
  nextId: number | null;
  nextNewId: number | null;
  /** Next may ask the server for an image no list holds yet (work mode: the project's queue). */
  nextOnRequest?: boolean;
}

export function Toolbar({
  editor,
  projectId,
  projectHref,
  nav,
  onHelp,
}: {
  editor: Editor;
  projectId: number;
  projectHref: string;
  nav: NavState | null;
  onHelp: () => void;
}) {
  // While Space is held the pan tool lights up: the editor reports the tool that receives events.
  // Only the id: the tool's state changes on every press and release, which must not re-render this.
  const toolId = useStore(editor.store, (s) => s.tool.id);
  // Review mode decides in its own bar; submitting is the annotator's.
  const annotating = useStore(editor.store, (s) => s.mode === "annotate");
  const readOnly = useStore(editor.store, (s) => s.readOnly);
  const canUndo = useStore(editor.store, (s) => s.canUndo);
  const canRedo = useStore(editor.store, (s) => s.canRedo);
  const zoom = useReadout(editor.store, (s) => s.viewport.scale);
  const run = (id: string) => () => editor.runCommand(id);
  const toolCommand = (t: (typeof TOOLS)[number]) => (editor.commands.has(t.command) ? t.command : "");

  return (
    <header className="ed-toolbar">
      <Link className="ed-back" to={projectHref} title="Back to the project" data-project={projectId}>
        <EdIcon name="back" />
        <span>Project</span>
      </Link>
      <fieldset className="ed-tgroup" aria-label="Tools">
        {TOOLS.map((t) => (
          <ToolButton
            key={t.id}
            label={withShortcut(t.label, editor, toolCommand(t))}
            icon={t.icon}
            active={toolId === t.id}
            disabled={readOnly && (t.id === "box" || t.id === "polygon")}
            onClick={() => editor.setTool(t.id)}
            testId={`tool-${t.id}`}
          />
        ))}
      </fieldset>
      <fieldset className="ed-tgroup" aria-label="History">
        <ToolButton
          label={withShortcut("Undo", editor, "edit.undo")}
          icon="undo"
          disabled={!canUndo}
          onClick={() => editor.undo()}
          testId="undo"
        />
        <ToolButton
          label={withShortcut("Redo", editor, "edit.redo")}
          icon="redo"
          disabled={!canRedo}
          onClick={() => editor.redo()}
          testId="redo"
        />
      </fieldset>
      <fieldset className="ed-tgroup" aria-label="View">
        <ToolButton
          label={withShortcut("Zoom out", editor, "view.zoomOut")}
          icon="zoomOut"
          onClick={() => editor.zoomBy(1 / 1.25)}
        />
        <button
          type="button"
          className="ed-zoom"
          title={withShortcut("Actual size", editor, "view.actualSize")}
          onMouseDown={keepFocus}
          onClick={() => editor.zoomTo(1)}
        >
          {Math.round(zoom * 100)}%
        </button>
        <ToolButton
          label={withShortcut("Zoom in", editor, "view.zoomIn")}
          icon="zoomIn"
          onClick={() => editor.zoomBy(1.25)}
        />
        <ToolButton
          label={withShortcut("Fit to window", editor, "view.fit")}
          icon="fit"
          onClick={() => editor.fit()}
        />
      </fieldset>
      <div className="ed-spacer" />
      <fieldset className="ed-tgroup" aria-label="Images">
        <ToolButton
          label={withShortcut("Copy all shapes from the previous image", editor, APP_COMMANDS.copyPrevious)}
          icon="copy"
          disabled={!annotating || !nav?.previousId}
          onClick={run(APP_COMMANDS.copyPrevious)}
          testId="copy-previous"
        />
        <ToolButton
          label={withShortcut("Previous image", editor, APP_COMMANDS.previous)}
          icon="prev"
          disabled={!nav?.previousId}
          onClick={run(APP_COMMANDS.previous)}
          testId="nav-previous"
        />
        <ToolButton
          label={withShortcut("Next image", editor, APP_COMMANDS.next)}
          icon="next"
          disabled={!nav?.nextId && !nav?.nextOnRequest}
          onClick={run(APP_COMMANDS.next)}
          testId="nav-next"
        />
        <ToolButton
          label={withShortcut("Next image still new", editor, APP_COMMANDS.nextNew)}
          icon="nextNew"
          disabled={!nav?.nextNewId}
          onClick={run(APP_COMMANDS.nextNew)}
          testId="nav-next-new"
        />
        <ToolButton
          label={withShortcut("Skip", editor, APP_COMMANDS.skip)}
          icon="skip"
          disabled={!annotating}
          onClick={run(APP_COMMANDS.skip)}
          testId="skip"
        />
        {annotating && (
          <button
            type="button"
            className="ed-done"
            title={withShortcut("Submit (mark done) and go to the next image", editor, APP_COMMANDS.done)}
            onMouseDown={keepFocus}
            onClick={run(APP_COMMANDS.done)}
            data-testid="mark-done"
          >
            <EdIcon name="done" size={16} />
            Submit
          </button>
        )}
      </fieldset>
      <ToolButton
        label={withShortcut("Keyboard shortcuts", editor, APP_COMMANDS.help)}
        icon="keyboard"
        onClick={onHelp}
        testId="help"
      />
    </header>
  );
}
