import { DEFAULT_QUALITY_SETTINGS, type MatchPreset, type QualitySettings } from "@labelbench/schema";
import type { Executor } from "../../db/executor.js";

/** A project's quality settings (issue 16, table project_quality): a project without a row has the defaults. */
export const qualitySettingsOf = async (ex: Executor, projectId: number): Promise<QualitySettings> => {
  const r = await ex
    .selectFrom("project_quality")
    .selectAll()
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  return r
    ? {
        honeypotPercent: r.honeypot_percent,
        warmupImages: r.warmup_images,
        qualificationImages: r.qualification_images,
        qualificationPass: r.qualification_pass,
        overlap: r.overlap,
        overlapPercent: r.overlap_percent,
        consensusQuorum: r.consensus_quorum,
        auditPercent: r.audit_percent,
        matchPreset: r.match_preset as MatchPreset,
      }
    : { ...DEFAULT_QUALITY_SETTINGS };
};

export const saveQualitySettings = async (
  ex: Executor,
  projectId: number,
  s: QualitySettings,
  now: string,
) => {
  const row = {
    honeypot_percent: s.honeypotPercent,
    warmup_images: s.warmupImages,
    qualification_images: s.qualificationImages,
    qualification_pass: s.qualificationPass,
    overlap: s.overlap,
    overlap_percent: s.overlapPercent,
    consensus_quorum: s.consensusQuorum,
    audit_percent: s.auditPercent,
    match_preset: s.matchPreset,
    updated_at: now,
  };
  await ex
    .insertInto("project_quality")
    .values({ project_id: projectId, ...row })
    .onConflict((oc) => oc.column("project_id").doUpdateSet(row))
    .execute();
};
