import { Api, ErrorCode, type DeleteTopicsResponseDeletableTopicResult } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';
import { topicErrorCode } from './topic-errors.ts';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** v0-v5 name topics in `topicNames`; v6 names them in `topics`, by name or by topic id. */
export const deleteTopicsHandler = defineHandler(Api.DeleteTopics, async (request, version, { broker, logger }) => {
  const wanted = version >= 6 ? (request.topics ?? []) : (request.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
  const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
  for (const { name, topicId } of wanted) {
    const topic = name !== null ? broker.topics.get(name) : broker.topics.getById(topicId);
    if (!topic) {
      responses.push({
        name,
        topicId,
        errorCode: name !== null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.UNKNOWN_TOPIC_ID,
        errorMessage: 'topic does not exist',
      });
      continue;
    }
    try {
      await broker.topics.delete(topic.name);
      await broker.offsets.forgetTopic(topic.name);
      responses.push({ name: topic.name, topicId: topic.topicId, errorCode: ErrorCode.NONE, errorMessage: null });
    } catch (err) {
      responses.push({ name: topic.name, topicId: topic.topicId, ...topicErrorCode(err, logger, { topic: topic.name }) });
    }
  }
  return { throttleTimeMs: 0, responses };
});
