/**
 * Deployment state: what CloudFormation would remember about each deployed stack (resources with physical ids,
 * resolved properties and attributes, outputs/exports). Persisted as JSON when a file is given, so that
 * deploy → redeploy → destroy works across processes; in memory otherwise.
 */
import * as fs from 'fs';
import * as path from 'path';

/** What is needed to invoke a Lambda function locally. */
export interface LambdaFunctionInfo {
  readonly functionName: string;
  readonly arn: string;
  readonly handler: string;
  readonly runtime: string;
  /** Absolute directory of the function's code. */
  readonly codeDirectory: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
}

export interface ResourceState {
  readonly type: string;
  readonly physicalId: string;
  /** Resolved properties (for custom resources: as sent, all leaves strings). */
  readonly properties: Record<string, unknown>;
  /** `Fn::GetAtt` values (for custom resources: the response's Data). */
  readonly attributes: Record<string, unknown>;
  /** Logical ids of the resources this one depended on. */
  readonly dependsOn: string[];
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  /** For AWS::Lambda::Function. */
  readonly lambda?: LambdaFunctionInfo;
  /** The custom resource asked for its Data to be masked. */
  readonly noEcho?: boolean;
}

export interface OutputState {
  readonly value: unknown;
  readonly description?: string;
  readonly exportName?: string;
}

export interface StackState {
  readonly id: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly stackId: string;
  readonly status: string;
  readonly resources: Record<string, ResourceState>;
  readonly outputs: Record<string, OutputState>;
  /** Export names this stack imports. */
  readonly imports: string[];
  /** Ids of the stacks it depended on when last deployed. */
  readonly dependencies: string[];
  readonly lastUpdated: string;
}

interface StateFile {
  readonly version: 1;
  readonly stacks: Record<string, StackState>;
}

export class DeployState {
  private memory: Record<string, StackState> = {};

  constructor(private readonly file?: string) {}

  /** The state of stack `id`, if it is deployed. */
  get(id: string): StackState | undefined {
    return this.read()[id];
  }

  all(): StackState[] {
    return Object.values(this.read());
  }

  put(stack: StackState): void {
    this.update(stacks => { stacks[stack.id] = stack; });
  }

  remove(id: string): void {
    this.update(stacks => { delete stacks[id]; });
  }

  private read(): Record<string, StackState> {
    if (!this.file) return this.memory;
    if (!fs.existsSync(this.file)) return {};
    const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as StateFile;
    if (parsed.version !== 1) throw new Error(`${this.file}: unsupported state file version ${String(parsed.version)}`);
    return parsed.stacks ?? {};
  }

  /** Read-modify-write of the whole file (re-read so that other deployers' stacks are kept). */
  private update(mutate: (stacks: Record<string, StackState>) => void): void {
    const stacks = { ...this.read() };
    mutate(stacks);
    if (!this.file) {
      this.memory = stacks;
      return;
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, stacks } satisfies StateFile, undefined, 2));
    fs.renameSync(tmp, this.file);
  }
}
