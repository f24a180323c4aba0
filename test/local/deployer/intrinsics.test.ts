import { IntrinsicScope, NO_VALUE, partitionOf, resolveValue, stringifyLeaves } from '../../../local/deployer/intrinsics';
import { referencedNames, resourceDependencies, runGraph, topologicalOrder } from '../../../local/deployer/resource-graph';

const scope: IntrinsicScope = {
  location: 'S/R',
  region: 'eu-west-1',
  pseudoParameters: { 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111111111111', 'AWS::Partition': 'aws' },
  mappings: { M: { k: { v: 'mapped' } } },
  ref: n => (n === 'P' ? 'param' : n === 'L' ? ['a', 'b'] : `phys-${n}`),
  getAtt: (id, attr) => `${id}.${attr}`,
  importValue: n => `imported-${n}`,
  condition: n => n === 'Yes',
};

describe('intrinsics', () => {
  test('resolves the supported functions', () => {
    expect(resolveValue({
      a: { 'Fn::Sub': 'x-${AWS::Region}-${R}-${R.Arn}-${!Lit}' },
      b: { 'Fn::Sub': ['${v}-${P}', { v: { Ref: 'P' } }] },
      c: { 'Fn::Join': [',', [{ Ref: 'R' }, 1, { Ref: 'AWS::NoValue' }]] },
      d: { 'Fn::Select': ['1', { 'Fn::Split': ['/', 'a/b/c'] }] },
      e: { 'Fn::If': ['Yes', { Ref: 'AWS::NoValue' }, 'no'] },
      f: { 'Fn::If': ['No', 'yes', 'no'] },
      g: { 'Fn::ImportValue': { 'Fn::Sub': '${P}-x' } },
      h: { 'Fn::GetAtt': 'R.Attr.Nested' },
      i: { 'Fn::FindInMap': ['M', 'k', 'v'] },
      j: { 'Fn::GetAZs': '' },
      k: { 'Fn::Equals': [1, '1'] },
      l: [{ Ref: 'AWS::NoValue' }, { Ref: 'L' }],
    }, scope)).toEqual({
      a: 'x-eu-west-1-phys-R-R.Arn-${Lit}',
      b: 'param-param',
      c: 'phys-R,1',
      d: 'b',
      f: 'no',
      g: 'imported-param-x',
      h: 'R.Attr.Nested',
      i: 'mapped',
      j: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      k: true,
      l: [['a', 'b']],
    });
    expect(resolveValue({ Ref: 'AWS::NoValue' }, scope)).toBe(NO_VALUE);
  });

  test('unsupported intrinsics name the function and the location', () => {
    expect(() => resolveValue({ x: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] } }, scope)).toThrow(/^S\/R: unsupported intrinsic function Fn::Cidr/);
  });

  test('helpers', () => {
    expect(stringifyLeaves({ a: 1, b: [true, { c: 2.5 }], d: 's' })).toEqual({ a: '1', b: ['true', { c: '2.5' }], d: 's' });
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-central-1')).toBe('aws');
  });
});

describe('resource graph', () => {
  test('dependencies from Ref, GetAtt, Sub and DependsOn; cycles are errors', () => {
    expect([...referencedNames({ 'Fn::Sub': ['${A}${B.Arn}${v}${!C}', { v: { Ref: 'D' } }] })].sort()).toEqual(['A', 'B', 'D']);
    const deps = resourceDependencies({
      A: { Type: 'T' },
      B: { Type: 'T', Properties: { x: { 'Fn::GetAtt': ['A', 'Arn'] } } },
      C: { Type: 'T', DependsOn: 'B', Properties: { y: { Ref: 'AWS::Region' } } },
    });
    expect(Object.fromEntries(deps)).toEqual({ A: [], B: ['A'], C: ['B'] });
    expect(topologicalOrder(['C', 'B', 'A'], id => deps.get(id)!)).toEqual(['A', 'B', 'C']);
    expect(() => topologicalOrder(['X', 'Y'], id => (id === 'X' ? ['Y'] : ['X']))).toThrow(/Circular dependency between resources: X -> Y -> X/);
  });

  test('runGraph runs independent nodes concurrently and skips dependents of failures', async () => {
    const log: string[] = [];
    const result = await runGraph(['A', 'B', 'C', 'D'], id => ({ C: ['A'], D: ['B'] } as Record<string, string[]>)[id] ?? [], async id => {
      log.push(`start ${id}`);
      await new Promise(r => setTimeout(r, 10));
      if (id === 'B') throw new Error('boom');
      log.push(`end ${id}`);
    }, { stopOnFailure: false });
    expect(log.slice(0, 2)).toEqual(['start A', 'start B']);
    expect(result.completed).toEqual(['A', 'C']);
    expect([...result.failed.keys()]).toEqual(['B']);
    expect(result.skipped).toEqual(['D']);
  });
});
