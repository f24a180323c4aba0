/**
 * Template evaluation for one stack operation: parameter values, conditions, outputs and exports, and the intrinsic
 * scope through which resource properties are resolved (against the resources deployed so far, the parameters and
 * the exports of the other stacks of the account and Region).
 */
import type { StackArtifact } from './cloud-assembly';
import type { DeployState, OutputState, ResourceState, StackState } from './deploy-state';
import { evaluateCondition, IntrinsicScope, partitionOf, resolveValue, urlSuffixOf } from './intrinsics';
import type { Progress } from './progress';
import { isCustomResourceType } from './stack-operation';

/** Plausible value for CDK's `/cdk-bootstrap/<qualifier>/version` SSM parameter. */
const BOOTSTRAP_VERSION = '30';

export interface TemplateEvaluationContext {
  readonly state: DeployState;
  readonly progress: Progress;
  /** Parameter values given to the deployer for this stack. */
  readonly parameters: Record<string, string>;
}

export class TemplateEvaluation {
  private readonly label: string;
  private readonly conditions = new Map<string, boolean>();
  private parameters: Record<string, unknown> = {};
  /** Export names imported so far. */
  readonly imports = new Set<string>();

  /**
   * @param live the resources deployed so far in this operation (Ref and GetAtt read them as they fill up)
   */
  constructor(
    private readonly ctx: TemplateEvaluationContext,
    private readonly artifact: StackArtifact,
    private readonly stackId: string,
    private readonly live: ReadonlyMap<string, ResourceState>,
  ) {
    this.label = artifact.id;
  }

  get partition(): string { return partitionOf(this.artifact.region); }

  get urlSuffix(): string { return urlSuffixOf(this.artifact.region); }

  /** Resolves the template's parameters (given values, then defaults); throws when one has neither. */
  resolveParameters(): void {
    const result: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(this.artifact.template.Parameters ?? {})) {
      let value: unknown = this.ctx.parameters[name];
      if (value === undefined) {
        if (p.Type.startsWith('AWS::SSM::Parameter::Value')) {
          if (typeof p.Default === 'string' && p.Default.startsWith('/cdk-bootstrap/')) {
            value = BOOTSTRAP_VERSION;
          } else {
            this.ctx.progress.note(this.label, `WARNING parameter ${name} reads SSM parameter ${String(p.Default)}, which the local deployer cannot read: using its name as the value (pass \`parameters\` to override)`);
            value = p.Default;
          }
        } else if (p.Default !== undefined) {
          value = p.Default;
        } else {
          throw new Error(`Parameter ${name} has no Default: pass a value for it (LocalDeployerOptions.parameters)`);
        }
      }
      if ((p.Type.includes('List<') || p.Type === 'CommaDelimitedList') && typeof value === 'string') value = value.split(',');
      else if (typeof value === 'number') value = String(value);
      result[name] = value;
    }
    this.parameters = result;
  }

  /** The value of a named condition (evaluated once). */
  condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const expr = this.artifact.template.Conditions?.[name];
    if (expr === undefined) throw new Error(`${this.label}: unknown condition ${name}`);
    const value = evaluateCondition(expr, this.scope(`Conditions/${name}`));
    this.conditions.set(name, value);
    return value;
  }

  /**
   * The template's outputs; throws when an export is taken by another stack, or when an export of `old` that another
   * stack imports disappears or changes.
   */
  resolveOutputs(old: StackState | undefined): Record<string, OutputState> {
    const outputs: Record<string, OutputState> = {};
    const { id: selfId, account, region } = this.artifact;
    const others = this.ctx.state.all().filter(s => s.id !== selfId && s.account === account && s.region === region);
    for (const [name, o] of Object.entries(this.artifact.template.Outputs ?? {})) {
      if (o.Condition !== undefined && !this.condition(o.Condition)) continue;
      const scope = this.scope(`Outputs/${name}`);
      const raw = resolveValue(o.Value, scope);
      const value = Array.isArray(raw) ? raw.join(',') : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
      const exportName = o.Export ? String(resolveValue(o.Export.Name, scope)) : undefined;
      if (exportName) {
        const clash = others.find(s => Object.values(s.outputs).some(x => x.exportName === exportName));
        if (clash) throw new Error(`Export with name ${exportName} is already exported by stack ${clash.id}`);
      }
      outputs[name] = { value, ...(o.Description ? { description: o.Description } : {}), ...(exportName ? { exportName } : {}) };
    }
    // exports in use by other stacks may neither disappear nor change
    for (const prev of Object.values(old?.outputs ?? {})) {
      if (!prev.exportName) continue;
      const importer = others.find(s => s.imports.includes(prev.exportName!));
      if (!importer) continue;
      const now = Object.values(outputs).find(x => x.exportName === prev.exportName);
      if (!now) throw new Error(`Cannot delete export ${prev.exportName} as it is in use by ${importer.id}`);
      if (now.value !== prev.value) throw new Error(`Cannot update export ${prev.exportName} as it is in use by ${importer.id}`);
    }
    return outputs;
  }

  /** The intrinsic scope of one place in the template (`where`: a logical id, `Outputs/Name`, `Conditions/Name`). */
  scope(where: string): IntrinsicScope {
    const { artifact } = this;
    const location = `${this.label}/${where}`;
    return {
      location,
      region: artifact.region,
      mappings: artifact.template.Mappings,
      pseudoParameters: {
        'AWS::AccountId': artifact.account,
        'AWS::Region': artifact.region,
        'AWS::Partition': this.partition,
        'AWS::URLSuffix': this.urlSuffix,
        'AWS::StackName': artifact.stackName,
        'AWS::StackId': this.stackId,
        'AWS::NotificationARNs': [],
      },
      ref: name => {
        if (name in this.parameters) return this.parameters[name];
        const r = this.live.get(name);
        if (r) return r.physicalId;
        if (artifact.template.Resources?.[name]) throw new Error(`${location}: Ref to ${name}, which is not deployed (its Condition is false?)`);
        throw new Error(`${location}: unresolved Ref "${name}" (no such parameter or resource)`);
      },
      getAtt: (id, attribute) => {
        const r = this.live.get(id);
        if (!r) {
          throw new Error(`${location}: Fn::GetAtt ${id}.${attribute}: ${artifact.template.Resources?.[id] ? 'the resource is not deployed' : 'no such resource'}`);
        }
        if (attribute in r.attributes) return r.attributes[attribute];
        if (isCustomResourceType(r.type)) {
          throw new Error(`${location}: CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object ${this.stackId}|${id}`);
        }
        const placeholder = `${r.physicalId}/${attribute}`;
        this.ctx.progress.note(this.label, `WARNING ${where}: attribute ${attribute} of ${r.type} is not modelled; using "${placeholder}"`);
        return placeholder;
      },
      importValue: name => {
        const exporter = this.ctx.state.all().find(s => s.id !== artifact.id && s.account === artifact.account && s.region === artifact.region
          && Object.values(s.outputs).some(o => o.exportName === name));
        if (!exporter) throw new Error(`${location}: No export named ${name} found in aws://${artifact.account}/${artifact.region}`);
        this.imports.add(name);
        return Object.values(exporter.outputs).find(o => o.exportName === name)!.value;
      },
      condition: name => this.condition(name),
    };
  }
}
