import { Api, ErrorCode, type IncrementalAlterConfigsResponseAlterConfigsResourceResponse } from '@fjord/kafka-protocol';
import { TopicError } from '../topics/topic-error.ts';
import { RESOURCE_TYPE } from './describe-configs.ts';
import { defineHandler } from './handler.ts';
import { topicErrorCode } from './topic-errors.ts';

const OP = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

/** Topic config changes by operation (SET / DELETE); broker configs belong to the platform and are read-only. */
export const incrementalAlterConfigsHandler = defineHandler(Api.IncrementalAlterConfigs, async (request, _version, { broker, logger }) => {
  const responses: IncrementalAlterConfigsResponseAlterConfigsResourceResponse[] = [];
  for (const { resourceType, resourceName, configs } of request.resources) {
    const answer = (errorCode: number, errorMessage: string | null) => responses.push({ errorCode, errorMessage, resourceType, resourceName });
    if (resourceType !== RESOURCE_TYPE.TOPIC) {
      answer(ErrorCode.INVALID_REQUEST, 'only topic configs can be altered; broker configs are managed by the platform');
      continue;
    }
    try {
      const topic = broker.topics.get(resourceName);
      if (!topic) throw new TopicError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${resourceName} does not exist`);
      const next: Record<string, string | null> = { ...topic.configs };
      for (const { name, configOperation, value } of configs) {
        if (configOperation === OP.SET) next[name] = value;
        else if (configOperation === OP.DELETE) delete next[name];
        else throw new TopicError('INVALID_CONFIG', `${name}: APPEND and SUBTRACT apply to list configs, and none is alterable`);
      }
      broker.topics.validateConfigs(resourceName, next);
      if (!request.validateOnly) await broker.topics.alterConfigs(resourceName, next as Record<string, string>);
      answer(ErrorCode.NONE, null);
    } catch (err) {
      const { errorCode, errorMessage } = topicErrorCode(err, logger, { topic: resourceName });
      answer(errorCode, errorMessage);
    }
  }
  return { throttleTimeMs: 0, responses };
});
