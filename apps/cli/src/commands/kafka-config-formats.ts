/** The client config formats `fjord kafka-config` prints (apart from the renderers, so the command table stays light). */
export const kafkaConfigFormats = ['librdkafka', 'kafkajs', 'java'] as const;
export type KafkaConfigFormat = (typeof kafkaConfigFormats)[number];
