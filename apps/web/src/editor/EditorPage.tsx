// Placeholder until the canvas editor lands (issue 4 replaces this file).
export function EditorPage() {
  return <p>The editor is being built.</p>;
}
