import { parseStackArn } from '../../src/handler-runtime/stack-arn';

test('a StackId gives the partition, Region and account of the handler\'s stack', () => {
  expect(parseStackArn('arn:aws-cn:cloudformation:cn-north-1:111111111111:stack/Management/6c0c2b50-0000-4000-8000-000000000000'))
    .toEqual({ partition: 'aws-cn', region: 'cn-north-1', account: '111111111111' });
});

test('anything but a stack ARN is refused, naming the expected form', () => {
  for (const stackId of ['', 'arn:aws:cloudformation:us-east-1:1111:stack/x/y', 'arn:aws:s3:::bucket', 'arn:aws:cloudformation:us-east-1:111111111111:changeSet/x/y']) {
    expect(() => parseStackArn(stackId)).toThrow(/is not a CloudFormation stack ARN \(arn:<partition>:cloudformation:<region>:<account>:stack\/\.\.\.\)/);
  }
});
