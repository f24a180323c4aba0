import { randomUUID } from 'crypto';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';

/** Typed CloudFormation custom resource events for handler tests. */
const BASE = {
  ServiceToken: 'arn:aws:lambda:us-east-1:222222222222:function:handler',
  ResponseURL: 'http://127.0.0.1:9/unused',
  StackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/EnvironmentAccountStack/5b0b1a40-0000-0000-0000-000000000000',
  LogicalResourceId: 'Connection',
};

type Props = Record<string, any>;

export function createEvent(
  resourceType: string,
  props: Props,
  overrides: Partial<CloudFormationCustomResourceCreateEvent> = {},
): CloudFormationCustomResourceCreateEvent {
  return {
    ...BASE,
    RequestType: 'Create',
    RequestId: randomUUID(),
    ResourceType: resourceType,
    ResourceProperties: { ServiceToken: BASE.ServiceToken, ...props },
    ...overrides,
  };
}

export function updateEvent(resourceType: string, physicalId: string, oldProps: Props, props: Props): CloudFormationCustomResourceUpdateEvent {
  return {
    ...BASE,
    RequestType: 'Update',
    RequestId: randomUUID(),
    ResourceType: resourceType,
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: BASE.ServiceToken, ...props },
    OldResourceProperties: { ServiceToken: BASE.ServiceToken, ...oldProps },
  };
}

export function deleteEvent(resourceType: string, physicalId: string, props: Props): CloudFormationCustomResourceDeleteEvent {
  return {
    ...BASE,
    RequestType: 'Delete',
    RequestId: randomUUID(),
    ResourceType: resourceType,
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: BASE.ServiceToken, ...props },
  };
}
