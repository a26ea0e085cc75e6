import { Api, ErrorCode, type AlterConfigsResourceResponse } from '@fjord/kafka-protocol';
import { RESOURCE_TYPE } from './describe-configs.ts';
import { defineHandler } from './handler.ts';
import { topicErrorCode } from './topic-errors.ts';

/** The legacy whole-set form: the given configs become the topic's overrides, everything else returns to default. */
export const alterConfigsHandler = defineHandler(Api.AlterConfigs, async (request, _version, { broker, logger }) => {
  const responses: AlterConfigsResourceResponse[] = [];
  for (const { resourceType, resourceName, configs } of request.resources) {
    if (resourceType !== RESOURCE_TYPE.TOPIC) {
      responses.push({
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'only topic configs can be altered; broker configs are managed by the platform',
        resourceType,
        resourceName,
      });
      continue;
    }
    try {
      const overrides = Object.fromEntries(configs.map((c) => [c.name, c.value]));
      broker.topics.validateConfigs(resourceName, overrides);
      if (!request.validateOnly) await broker.topics.alterConfigs(resourceName, overrides as Record<string, string>);
      responses.push({ errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName });
    } catch (err) {
      responses.push({ ...topicErrorCode(err, logger, { topic: resourceName }), resourceType, resourceName });
    }
  }
  return { throttleTimeMs: 0, responses };
});
