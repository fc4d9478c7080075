import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

const root = document.getElementById("root");
if (!root) throw new Error("#root missing from index.html");
createRoot(root).render(
  <StrictMode>
    <main>
      <h1>Labelbench</h1>
      <p>The API is at /api/v1.</p>
    </main>
  </StrictMode>,
);
