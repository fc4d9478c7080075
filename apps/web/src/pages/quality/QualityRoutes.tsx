import { Route, Routes } from "react-router";
import { NotFoundPage } from "../NotFoundPage";
import { ComparisonPage } from "./ComparisonPage";
import { QualityImagesPage } from "./QualityImagesPage";
import { QualityPage } from "./QualityPage";

/**
 * The QC pages under `/projects/:id/quality` (one entry in app/router.tsx, loaded on first use):
 * the dashboard (or "My quality"), the images behind a count, and one image's comparison.
 * Who sees what is the server's answer: an annotator's report and lists hold their own work only.
 */
export function QualityRoutes() {
  return (
    <Routes>
      <Route index element={<QualityPage />} />
      <Route path="images" element={<QualityImagesPage />} />
      <Route path="images/:imageId" element={<ComparisonPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
