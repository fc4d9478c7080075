// Placeholder until the export page lands (issue 5 replaces this file).
export function ExportPage() {
  return <p>Export is being built.</p>;
}
