import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { CliError } from '../errors.ts';
import { Stack } from './stack.ts';

export type Path = readonly (string | number)[];

/** A parsed, valid stack and a way back from a path in it to a place in its file. */
export interface StackFile {
  file: string;
  stack: Stack;
  /** `file:line:col` of the value at `path` (or of the nearest enclosing node that exists). */
  locate(path: Path): string;
}

/** `clusters[0].topics[1].partitions` */
export function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export class StackFileError extends CliError {
  constructor(message: string) {
    super('FJ_CLI_E0006', message);
  }
}

function nodeAt(doc: Document, path: Path, key?: string): Node | undefined {
  let node: unknown = doc.contents;
  let found = node as Node | undefined;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === step);
      node = pair?.value;
      if (!pair) break;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
    } else break;
    if (node && typeof node === 'object' && 'range' in node) found = node as Node;
    else break;
  }
  if (key !== undefined && isMap(found)) {
    const pair = found.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return found;
}

export function parseStack(text: string, file: string): StackFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new StackFileError(doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split('\n')[0]}`).join('\n'));
  }
  const locate = (path: Path, key?: string) => at(nodeAt(doc, path, key)?.range?.[0]);
  const parsed = Stack.safeParse(doc.toJS() ?? {});
  if (!parsed.success) throw new StackFileError(parsed.error.issues.map((issue) => describeIssue(issue, locate)).join('\n'));
  return { file, stack: parsed.data, locate: (path) => locate(path) };
}

function describeIssue(issue: z.core.$ZodIssue, locate: (path: Path, key?: string) => string): string {
  const path = issue.path as Path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${locate(path, key)}: ${formatPath([...path, key])}: unknown key "${key}"`).join('\n');
  }
  const where = path.length > 0 ? `${formatPath(path)}: ` : '';
  return `${locate(path)}: ${where}${issue.message}`;
}

export async function readStack(file: string): Promise<StackFile> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new StackFileError(`cannot read the stack file ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  return parseStack(text, file);
}
