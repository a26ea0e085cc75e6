/**
 * Environment variables a broker process reads. The config travels whole in one variable where a
 * container gets no file (ECS); everything else is in the config itself.
 */
export const BROKER_CONFIG_ENV = 'FJORD_BROKER_CONFIG_JSON';
/** pino level of the broker's JSON log lines. */
export const BROKER_LOG_LEVEL_ENV = 'LOG_LEVEL';

