import type { Assignor } from './assignor.ts';
import { rangeAssignor } from './range.ts';
import { uniformAssignor } from './uniform.ts';

export type { Assignor, AssignmentSpec, TargetAssignment } from './assignor.ts';

/** The server-side assignors a consumer group may name, the first being Kafka's default (`group.consumer.assignors`). */
export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([uniformAssignor, rangeAssignor].map((a) => [a.name, a]));
export const DEFAULT_ASSIGNOR = uniformAssignor;
