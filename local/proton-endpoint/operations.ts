/**
 * The awsJson1_0 operations the local endpoint implements: input shape checks, then the store's rules.
 */
import { CallerIdentity } from './caller-identity';
import { ConnectionStore, RequestedBy } from './connection-store';
import { validationError } from './errors';
import { RoleArnField } from './model-limits';
import {
  checkAccountId,
  checkClientToken,
  checkConnectionId,
  checkEnvironmentName,
  checkNextToken,
  checkResourceArn,
  checkRoleArn,
  JsonObject,
  optionalString,
  parseMaxResults,
  parseStatuses,
  parseTagKeys,
  parseTagList,
  rejectUnknownMembers,
  requiredString,
} from './validation';

/** The `x-amz-target` prefix of AWS Proton's awsJson1_0 protocol. */
export const TARGET_PREFIX = 'AwsProton20200720';

export type OperationHandler = (store: ConnectionStore, caller: CallerIdentity, input: JsonObject) => JsonObject;

function idOnly(input: JsonObject): string {
  rejectUnknownMembers(input, ['id']);
  return checkConnectionId(requiredString(input, 'id'));
}

/** Pattern and partition; with `environmentAccountId` also the account (Update checks it once the caller is authorized). */
function roleArnIfPresent(input: JsonObject, field: RoleArnField, caller: CallerIdentity, environmentAccountId?: string): string | undefined {
  const value = optionalString(input, field);
  return value === undefined ? undefined : checkRoleArn(value, field, caller, environmentAccountId);
}

export const OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  CreateEnvironmentAccountConnection: (store, caller, input) => {
    rejectUnknownMembers(input, ['managementAccountId', 'environmentName', 'clientToken', 'roleArn', 'tags', 'componentRoleArn', 'codebuildRoleArn']);
    const managementAccountId = checkAccountId(requiredString(input, 'managementAccountId'), 'managementAccountId');
    const environmentName = checkEnvironmentName(requiredString(input, 'environmentName'));
    const roleArn = roleArnIfPresent(input, 'roleArn', caller, caller.accountId);
    if (roleArn === undefined) {
      // The model marks roleArn optional on input but required on the EnvironmentAccountConnection output.
      throw validationError('roleArn', 'roleArn is required: every connection carries the environment role Proton provisions with');
    }
    const token = optionalString(input, 'clientToken');
    const tags = input.tags === undefined || input.tags === null ? new Map<string, string>() : parseTagList(input.tags);
    const connection = store.create(caller, {
      managementAccountId,
      environmentName,
      roleArn,
      codebuildRoleArn: roleArnIfPresent(input, 'codebuildRoleArn', caller, caller.accountId),
      componentRoleArn: roleArnIfPresent(input, 'componentRoleArn', caller, caller.accountId),
      clientToken: token === undefined || token === '' ? undefined : checkClientToken(token),
      tags,
    });
    return { environmentAccountConnection: connection };
  },

  AcceptEnvironmentAccountConnection: (store, caller, input) => ({ environmentAccountConnection: store.accept(caller, idOnly(input)) }),

  RejectEnvironmentAccountConnection: (store, caller, input) => ({ environmentAccountConnection: store.reject(caller, idOnly(input)) }),

  GetEnvironmentAccountConnection: (store, caller, input) => ({ environmentAccountConnection: store.get(caller, idOnly(input)) }),

  DeleteEnvironmentAccountConnection: (store, caller, input) => ({ environmentAccountConnection: store.delete(caller, idOnly(input)) }),

  UpdateEnvironmentAccountConnection: (store, caller, input) => {
    rejectUnknownMembers(input, ['id', 'roleArn', 'codebuildRoleArn', 'componentRoleArn']);
    const id = checkConnectionId(requiredString(input, 'id'));
    const connection = store.update(caller, {
      id,
      roleArn: roleArnIfPresent(input, 'roleArn', caller),
      codebuildRoleArn: roleArnIfPresent(input, 'codebuildRoleArn', caller),
      componentRoleArn: roleArnIfPresent(input, 'componentRoleArn', caller),
    });
    return { environmentAccountConnection: connection };
  },

  ListEnvironmentAccountConnections: (store, caller, input) => {
    rejectUnknownMembers(input, ['requestedBy', 'environmentName', 'statuses', 'nextToken', 'maxResults']);
    const requestedBy = requiredString(input, 'requestedBy');
    if (requestedBy !== 'MANAGEMENT_ACCOUNT' && requestedBy !== 'ENVIRONMENT_ACCOUNT') {
      throw validationError('requestedBy', `Member must satisfy enum value set: [MANAGEMENT_ACCOUNT, ENVIRONMENT_ACCOUNT] (got '${requestedBy}')`);
    }
    const environmentName = optionalString(input, 'environmentName');
    const nextToken = optionalString(input, 'nextToken');
    const result = store.list(caller, {
      requestedBy: requestedBy as RequestedBy,
      environmentName: environmentName === undefined ? undefined : checkEnvironmentName(environmentName),
      statuses: parseStatuses(input.statuses),
      maxResults: parseMaxResults(input.maxResults),
      nextToken: nextToken === undefined ? undefined : checkNextToken(nextToken),
    });
    return { ...result };
  },

  TagResource: (store, caller, input) => {
    rejectUnknownMembers(input, ['resourceArn', 'tags']);
    const resourceArn = checkResourceArn(requiredString(input, 'resourceArn'));
    if (input.tags === undefined || input.tags === null) throw validationError('tags', 'Member must not be null');
    store.tagResource(caller, resourceArn, parseTagList(input.tags));
    return {};
  },

  UntagResource: (store, caller, input) => {
    rejectUnknownMembers(input, ['resourceArn', 'tagKeys']);
    const resourceArn = checkResourceArn(requiredString(input, 'resourceArn'));
    if (input.tagKeys === undefined || input.tagKeys === null) throw validationError('tagKeys', 'Member must not be null');
    store.untagResource(caller, resourceArn, parseTagKeys(input.tagKeys));
    return {};
  },

  ListTagsForResource: (store, caller, input) => {
    rejectUnknownMembers(input, ['resourceArn', 'nextToken', 'maxResults']);
    const resourceArn = checkResourceArn(requiredString(input, 'resourceArn'));
    return { ...store.listTags(caller, resourceArn, parseMaxResults(input.maxResults), optionalString(input, 'nextToken')) };
  },
};

export const OPERATION_NAMES: readonly string[] = Object.keys(OPERATIONS);
