/**
 * Every message the CLI shows besides a command's result, declared once with a stable code (as CDK's
 * message registry): `--output json` prints the code with the text, so scripts can switch on it.
 * I = information, W = warning, Q = question, E = error; shipped codes are never reused.
 */
export const messages = {
  FJ_CLI_I1001: 'waiting for a cluster (a spinner on a terminal), and how the wait ended',
  FJ_CLI_I1003: 'a file was written',
  FJ_CLI_I1004: 'credentials saved or removed',
  FJ_CLI_I2001: 'an apply or destroy step',
  FJ_CLI_I2002: 'the plan, shown before a confirmation in JSON mode',
  FJ_CLI_W1001: 'no secret known for a key',
  FJ_CLI_Q2001: 'confirmation of an apply or destroy',
  FJ_CLI_Q1001: 'confirmation of a delete',
  FJ_CLI_E0001: 'bad usage or input',
  FJ_CLI_E0002: 'no credentials',
  FJ_CLI_E0003: 'the API refused the credentials',
  FJ_CLI_E0004: 'the API cannot be reached',
  FJ_CLI_E0005: 'the API answered a problem',
  FJ_CLI_E0006: 'the stack file is invalid',
  FJ_CLI_E0007: 'the plan cannot be carried out',
  FJ_CLI_E0008: 'confirmation needed but not possible, or refused',
  FJ_CLI_E0009: 'no such resource',
  FJ_CLI_E0010: 'a wait did not end as hoped',
  FJ_CLI_E0099: 'a fault of the CLI itself',
} as const;

export type MessageCode = keyof typeof messages;
