import * as fs from 'fs';
import * as path from 'path';

/** Where `npx projen bench:organization` (bench/organization-sweep.ts) writes its report. */
export const ORGANIZATION_SWEEP_FILE = path.join(__dirname, 'ORGANIZATION-SWEEP.md');

/** The organization sweep's figures as its own run wrote them (it is not rerun by `npx projen bench`). */
export interface OrganizationFigures {
  /** Its `Command: ... Machine: ..., load ... <date>.` line. */
  readonly provenance: string;
  /** What the sweep covers. */
  readonly scope: string;
  /** Its markdown table. */
  readonly table: string;
}

/** Reads the sweep's figures back, or undefined when it has not been run. */
export function readOrganizationFigures(file = ORGANIZATION_SWEEP_FILE): OrganizationFigures | undefined {
  if (!fs.existsSync(file)) return undefined;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  return {
    provenance: lines.find((l) => l.startsWith('Command:')) ?? '',
    scope: lines.find((l) => l.startsWith('One ')) ?? '',
    table: lines.filter((l) => l.startsWith('|')).join('\n'),
  };
}
