import { paginateGetParametersByPath, SSMClient } from '@aws-sdk/client-ssm';
import { AllowListEntries, mergeEntries, organizationalUnitEntryProblem } from '../allow-list';

/** Reads an allow-list stored as SSM String parameters (one JSON chunk each) under `path`. */
export async function loadAllowListFromParameters(ssm: SSMClient, path: string): Promise<AllowListEntries> {
  const chunks: AllowListEntries[] = [];
  for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path, Recursive: false })) {
    for (const parameter of page.Parameters ?? []) {
      const parsed = JSON.parse(parameter.Value ?? '{}') as Partial<AllowListEntries>;
      for (const entry of parsed.organizationalUnits ?? []) {
        const problem = organizationalUnitEntryProblem(entry);
        if (problem) throw new Error(`the allow-list parameter ${parameter.Name} holds an invalid organizationalUnits entry: ${problem}`);
      }
      chunks.push({ pairs: parsed.pairs ?? [], accounts: parsed.accounts ?? [], organizationalUnits: parsed.organizationalUnits });
    }
  }
  return mergeEntries(chunks);
}
