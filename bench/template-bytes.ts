import * as fs from 'fs';
import * as path from 'path';

/** A synthesized stack template as written to the cloud assembly. */
export interface StackTemplate {
  readonly stackId: string;
  /**
   * Bytes of the template file as written to the cloud assembly (indented JSON). With the default
   * synthesizer `cdk deploy` uploads this very file and hands CloudFormation its `TemplateURL`, so
   * these are the bytes CloudFormation's template size limit counts.
   */
  readonly bytes: number;
  /** Bytes of the same template as minified JSON: its content, independent of formatting. */
  readonly compactBytes: number;
  readonly template: { Resources?: Record<string, { Type: string }>; [section: string]: unknown };
}

/** Every stack template of an assembly, by stack id. */
export function readTemplates(outdir: string): Map<string, StackTemplate> {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const templates = new Map<string, StackTemplate>();
  for (const [stackId, artifact] of Object.entries(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const file = path.join(outdir, artifact.properties.templateFile);
    const text = fs.readFileSync(file, 'utf8');
    const template = JSON.parse(text);
    templates.set(stackId, { stackId, bytes: Buffer.byteLength(text), compactBytes: Buffer.byteLength(JSON.stringify(template)), template });
  }
  return templates;
}

export function resourceCount(template: StackTemplate): number {
  return Object.keys(template.template.Resources ?? {}).length;
}

/**
 * Where a template's bytes go: each resource type's share (compact JSON of its resources), plus the
 * other sections (Parameters, Rules, Outputs, ...). Largest first.
 */
export function bytesByType(template: StackTemplate): Array<{ what: string; count: number; bytes: number }> {
  const groups = new Map<string, { count: number; bytes: number }>();
  const add = (what: string, value: unknown) => {
    const g = groups.get(what) ?? { count: 0, bytes: 0 };
    g.count += 1;
    g.bytes += Buffer.byteLength(JSON.stringify(value));
    groups.set(what, g);
  };
  for (const [section, value] of Object.entries(template.template)) {
    if (section === 'Resources') continue;
    add(section, value);
  }
  for (const [id, resource] of Object.entries(template.template.Resources ?? {})) {
    add(resource.Type, { [id]: resource });
  }
  return [...groups.entries()].map(([what, g]) => ({ what, ...g })).sort((a, b) => b.bytes - a.bytes);
}

/** Compact JSON bytes of one resource's properties, by logical id (largest first). */
export function bytesByResource(template: StackTemplate): Array<{ logicalId: string; type: string; bytes: number }> {
  return Object.entries(template.template.Resources ?? {})
    .map(([logicalId, resource]) => ({ logicalId, type: resource.Type, bytes: Buffer.byteLength(JSON.stringify(resource)) }))
    .sort((a, b) => b.bytes - a.bytes);
}
