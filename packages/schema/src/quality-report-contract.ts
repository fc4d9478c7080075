import { z } from "zod";
import { IdParam } from "./domain.js";
import { endpoint } from "./endpoint.js";
import {
  ComparisonQuery,
  QualityComparison,
  QualityImagePage,
  QualityImagesQuery,
  QualityReport,
  QualityReportQuery,
  RescoreResult,
} from "./quality-report.js";

/** The QC report (issue 16): measured numbers, drill-downs, CSV. docs/quality-metrics.md. */
const ProjectParams = z.object({ projectId: IdParam });
const ImageParams = z.object({ imageId: IdParam });

export const qualityReportApi = {
  qualityReport: endpoint({
    method: "GET",
    path: "/projects/:projectId/quality/report",
    summary:
      "Quality per annotator, label and week, the confusion and agreement matrices and reviewer precision, each number with n and a 95 % interval; `format=csv&by=<table>` gives one table as CSV. An annotator reads only their own numbers",
    params: ProjectParams,
    query: QualityReportQuery,
    response: QualityReport,
  }),
  qualityImages: endpoint({
    method: "GET",
    path: "/projects/:projectId/quality/images",
    summary:
      "The comparisons (image × checked annotator × reference) behind a count, worst first or latest first; the per-image table; `format=csv` gives every row as CSV",
    params: ProjectParams,
    query: QualityImagesQuery,
    response: QualityImagePage,
  }),
  qualityComparison: endpoint({
    method: "GET",
    path: "/images/:imageId/quality/comparison",
    summary:
      "One comparison down to its shapes: the reference and the checked set and which shapes matched, were missing, extra or mismatched",
    params: ImageParams,
    query: ComparisonQuery,
    response: QualityComparison,
  }),
  rescoreQuality: endpoint({
    method: "POST",
    path: "/projects/:projectId/quality/rescore",
    summary:
      "Score every comparison of the project again from its sources (after the match settings changed)",
    params: ProjectParams,
    response: RescoreResult,
  }),
};
