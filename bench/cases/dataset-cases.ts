import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Row, row } from "../report.js";
import { startServer } from "../server.js";
import {
  datasetRows,
  downloadExport,
  generateDataset,
  naiveInMemoryCoco,
  readZip,
  tmpFile,
} from "./dataset.js";

/** 100k images / 1M annotations: streamed exports with bounded memory, validated by parsing back. */
export const datasetCases = (quick: boolean) => {
  const images = quick ? 10_000 : 100_000;
  const perImage = 10;
  const label = `${images / 1000}k images / ${(images * perImage) / 1e6}M annotations`;
  let dataDir: string | null = null;
  const ensureData = () => {
    if (dataDir) return dataDir;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-bench-data-"));
    process.stderr.write(`bench: generating ${label}…\n`);
    generateDataset(dataDir, images, perImage);
    return dataDir;
  };
  const exportCase = (format: "coco" | "yolo", port: number) => async (): Promise<Row[]> => {
    const dir = ensureData();
    // A fresh server per export so its peak RSS belongs to this export alone.
    const s = await startServer({ port, dataDir: dir });
    try {
      const file = tmpFile(`${format}.zip`);
      const { seconds } = await downloadExport(s, 1, `format=${format}&images=exclude`, file);
      const rss = s.peakRssMb();
      let annotations = 0;
      let labelFiles = 0;
      await readZip(file, (name, text) => {
        if (format === "coco" && name.endsWith(".json") && name.includes("annotations")) {
          const doc = JSON.parse(text) as { images: unknown[]; annotations: unknown[] };
          if (doc.images.length !== images)
            throw new Error(`COCO export has ${doc.images.length} images, expected ${images}`);
          annotations += doc.annotations.length;
        }
        if (format === "yolo" && name.startsWith("labels/") && name.endsWith(".txt")) {
          labelFiles++;
          annotations += text.split("\n").filter((l) => l.trim()).length;
        }
      });
      if (annotations !== images * perImage)
        throw new Error(`${format} export holds ${annotations} annotations, expected ${images * perImage}`);
      if (format === "yolo" && labelFiles !== images)
        throw new Error(`YOLO export has ${labelFiles} label files, expected ${images}`);
      const rows = datasetRows(`${format.toUpperCase()} export, ${label}`, seconds, rss, {
        seconds: 10,
        rss: 256,
      });
      if (format === "coco") {
        const naive = naiveInMemoryCoco(dir);
        rows.push(
          row(`naive in-memory COCO, ${label}`, "time", naive.seconds, "s"),
          row(`naive in-memory COCO, ${label}`, "peak RSS", naive.rssMb, "MB"),
          row("COCO: naive / streamed", "peak RSS ratio", naive.rssMb / rss, "x"),
        );
      }
      return rows;
    } finally {
      await s.stop();
    }
  };
  return [
    { name: "export-coco", run: exportCase("coco", 3411) },
    { name: "export-yolo", run: exportCase("yolo", 3412) },
  ];
};
