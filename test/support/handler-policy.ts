import { Template } from 'aws-cdk-lib/assertions';

/**
 * The statements a handler role is granted: those of its inline policies and of the
 * `AWS::IAM::Policy` resources attached to it, for the roles whose logical id starts with `rolePrefix`.
 */
export function roleStatements(template: Template | { [key: string]: any }, rolePrefix: string): any[] {
  const resources: Record<string, any> = template instanceof Template ? template.toJSON().Resources : template.Resources;
  const entries = Object.entries(resources);
  const inline = entries
    .filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith(rolePrefix))
    .flatMap(([, r]) => (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement));
  const attached = entries
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((role: any) => String(role.Ref).startsWith(rolePrefix)))
    .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
  return [...inline, ...attached];
}
