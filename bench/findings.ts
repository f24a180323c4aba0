import { BenchResults } from './results';
import { TargetCheck } from './targets';

/**
 * The measured cause of each missed target and what would reach it. Written from the profile
 * data the report prints (phase timings, bytes by resource type); kept next to the checks so a
 * rerun that passes drops the text.
 */
export function findingsFor(_r: BenchResults, checks: TargetCheck[]): string[] {
  const missed = new Set(checks.filter((c) => !c.pass).map((c) => c.id));
  const notes: string[] = [];
  for (const id of missed) {
    const text = FINDINGS[id];
    notes.push(text ?? `- **${id}**: missed; no analysis recorded for this target yet.`);
  }
  return notes;
}

const FINDINGS: Record<string, string> = {};
