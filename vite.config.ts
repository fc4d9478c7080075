import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Builds apps/web into apps/web/dist, which the server serves from the same origin as the API.
export default defineConfig({
  root: "apps/web",
  plugins: [react()],
  build: {
    outDir: process.env.WEB_OUT_DIR ?? "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { port: 5173, proxy: { "/api": "http://localhost:3000" } },
});
