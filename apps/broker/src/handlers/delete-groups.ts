import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/** Deletes empty groups with their committed offsets; a group with members answers NON_EMPTY_GROUP. */
export const deleteGroupsHandler = defineHandler(Api.DeleteGroups, async (request, _version, { broker, logger }) => {
  const results = [];
  for (const groupId of request.groupsNames) {
    const known = broker.groups.describe(groupId) !== undefined || broker.offsets.group(groupId).size > 0;
    let errorCode: number = broker.consumerGroups.delete(groupId) ?? (known ? broker.groups.delete(groupId) : ErrorCode.GROUP_ID_NOT_FOUND);
    if (errorCode === ErrorCode.NONE) {
      try {
        await broker.offsets.deleteGroup(groupId);
      } catch (err) {
        logger.error({ err, groupId }, 'group deletion failed');
        errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
    }
    results.push({ groupId, errorCode });
  }
  return { throttleTimeMs: 0, results };
});
