export { fsyncDirectory, writeFileDurably, type WriteFileDurablyOptions } from './durable-file.ts';
