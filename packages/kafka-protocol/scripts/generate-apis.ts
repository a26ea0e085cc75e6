/**
 * Generates src/apis/<api>.ts (schema, TypeScript types and grammar comment per version) from Apache
 * Kafka's message specs, restricted to the versions Fjord supports.
 *
 *   node --import tsx packages/kafka-protocol/scripts/generate-apis.ts [<spec dir>]
 *
 * The specs are vendored in spec/messages (see spec/README.md for their source commit). Fields whose
 * versions lie entirely outside the supported range are left out. Regenerate rather than edit the
 * output; change SUPPORTED below to widen a range. test/generated.test.ts fails when the committed
 * files drift from what this script produces.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The newest version of each API in Apache Kafka 4.1.0: the vendored specs are newer, and nothing past these is generated. */
export const KAFKA_4_1_MAX: Record<string, number> = {
  ApiVersions: 4,
  Metadata: 13,
  Produce: 13,
  Fetch: 17,
  ListOffsets: 10,
  CreateTopics: 7,
  DeleteTopics: 6,
  CreatePartitions: 3,
  DescribeConfigs: 4,
  DescribeLogDirs: 4,
  SaslHandshake: 1,
  SaslAuthenticate: 2,
  FindCoordinator: 6,
  JoinGroup: 9,
  SyncGroup: 5,
  Heartbeat: 4,
  LeaveGroup: 5,
  OffsetCommit: 10,
  OffsetFetch: 10,
  ListGroups: 5,
  DescribeGroups: 6,
  DeleteGroups: 2,
  InitProducerId: 5,
  AlterConfigs: 2,
  IncrementalAlterConfigs: 1,
  DeleteRecords: 2,
  OffsetDelete: 0,
  DescribeCluster: 2,
  ConsumerGroupHeartbeat: 1,
  ConsumerGroupDescribe: 1,
};

export const SUPPORTED: Array<[name: string, min: number, max: number]> = [
  ['ApiVersions', 0, 3],
  ['Metadata', 0, 12],
  ['Produce', 0, 9],
  ['Fetch', 4, 12],
  ['ListOffsets', 1, 7],
  ['CreateTopics', 2, 7],
  ['DeleteTopics', 1, 6],
  ['CreatePartitions', 0, 3],
  ['DescribeConfigs', 1, 4],
  ['DescribeLogDirs', 1, 4],
  ['SaslHandshake', 0, 1],
  ['SaslAuthenticate', 0, 2],
  ['FindCoordinator', 0, 4],
  ['JoinGroup', 0, 7],
  ['SyncGroup', 0, 5],
  ['Heartbeat', 0, 4],
  ['LeaveGroup', 0, 5],
  ['OffsetCommit', 2, 9],
  ['OffsetFetch', 1, 9],
  ['ListGroups', 0, 5],
  ['DescribeGroups', 0, 6],
  ['DeleteGroups', 0, 2],
  ['InitProducerId', 0, 4],
  ['AlterConfigs', 0, 2],
  ['IncrementalAlterConfigs', 0, 1],
  ['DeleteRecords', 0, 2],
  ['OffsetDelete', 0, 0],
  ['DescribeCluster', 0, 1],
  ['ConsumerGroupHeartbeat', 0, 1],
  ['ConsumerGroupDescribe', 0, 1],
];

interface SpecField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  fields?: SpecField[];
}

interface SpecMessage {
  apiKey: number;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: SpecField[];
  commonStructs?: Array<{ name: string; versions: string; fields: SpecField[] }>;
}

interface Range {
  min: number;
  max: number;
}

const SCALARS = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);

function range(text: string | undefined): Range | null {
  if (text === undefined || text === 'none') return null;
  if (text.endsWith('+')) return { min: Number(text.slice(0, -1)), max: Infinity };
  const [min, max = min] = text.split('-');
  return { min: Number(min), max: Number(max) };
}

function has(r: Range | null, v: number): boolean {
  return r !== null && v >= r.min && v <= r.max;
}

function overlaps(r: Range | null, lo: number, hi: number): boolean {
  return r !== null && r.min <= hi && r.max >= lo;
}

function covers(r: Range | null, lo: number, hi: number): boolean {
  return r !== null && r.min <= lo && r.max >= hi;
}

function camel(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

function kebab(name: string): string {
  return snake(name).replaceAll('_', '-');
}

function readSpec(dir: string, file: string): SpecMessage {
  const text = readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');
  return JSON.parse(text) as SpecMessage;
}

/** A spec field with its struct fields resolved (inline or from commonStructs). */
interface Resolved {
  spec: SpecField;
  scalar: string | null;
  array: boolean;
  structName: string | null;
  fields: Resolved[];
}

function resolve(fields: SpecField[], msg: SpecMessage, lo: number, hi: number): Resolved[] {
  return fields
    .filter((f) => overlaps(range(f.versions), lo, hi))
    .map((f) => {
      const array = f.type.startsWith('[]');
      const base = array ? f.type.slice(2) : f.type;
      if (SCALARS.has(base)) return { spec: f, scalar: base, array, structName: null, fields: [] };
      const common = msg.commonStructs?.find((s) => s.name === base);
      const inner = f.fields ?? common?.fields;
      if (!inner) throw new Error(`${msg.name}.${f.name}: unknown type ${f.type}`);
      return { spec: f, scalar: null, array, structName: base, fields: resolve(inner, msg, lo, hi) };
    });
}

function defaultLiteral(f: Resolved): string | undefined {
  const d = f.spec.default;
  if (d === undefined) return undefined;
  if (d === 'null') return 'null';
  if (f.array || f.scalar === null) return undefined;
  switch (f.scalar) {
    case 'int64':
      return `${BigInt(String(d))}n`;
    case 'bool':
      return String(d === true || d === 'true');
    case 'string':
      return JSON.stringify(String(d));
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint16':
    case 'uint32':
    case 'float64': {
      const n = String(d).startsWith('0x') ? Number.parseInt(String(d), 16) : Number(d);
      return String(n);
    }
    default:
      return undefined;
  }
}

function schemaLiteral(fields: Resolved[], indent: string): string {
  const lines = fields.map((f) => {
    const parts = [`name: '${camel(f.spec.name)}'`, `type: '${f.scalar ?? 'struct'}'`];
    if (f.array) parts.push('array: true');
    parts.push(`versions: '${f.spec.versions}'`);
    if (f.spec.nullableVersions) parts.push(`nullable: '${f.spec.nullableVersions}'`);
    if (f.spec.taggedVersions) parts.push(`tagged: '${f.spec.taggedVersions}'`, `tag: ${f.spec.tag}`);
    const d = defaultLiteral(f);
    if (d !== undefined) parts.push(`default: ${d}`);
    if (f.scalar === null) parts.push(`fields: [\n${schemaLiteral(f.fields, `${indent}  `)}\n${indent}]`);
    return `${indent}{ ${parts.join(', ')} },`;
  });
  return lines.join('\n');
}

const TS_SCALAR: Record<string, string> = {
  int8: 'number',
  int16: 'number',
  int32: 'number',
  int64: 'bigint',
  uint16: 'number',
  uint32: 'number',
  float64: 'number',
  bool: 'boolean',
  string: 'string',
  bytes: 'Buffer',
  records: 'Buffer',
  uuid: 'string',
};

class TypeEmitter {
  readonly blocks: string[] = [];
  private readonly used = new Set<string>();

  constructor(
    private readonly api: string,
    private readonly lo: number,
    private readonly hi: number,
  ) {}

  private nameFor(structName: string, message: string): string {
    let name = structName.startsWith(this.api) ? structName : `${message}${structName}`;
    for (let i = 2; this.used.has(name); i++) name = `${message}${structName}${i}`;
    this.used.add(name);
    return name;
  }

  /** `lo`-`hi` is the version span in which the struct itself exists. */
  emit(interfaceName: string, fields: Resolved[], message: string, lo = this.lo, hi = this.hi): void {
    this.used.add(interfaceName);
    const lines: string[] = [];
    for (const f of fields) {
      const fieldRange = range(f.spec.versions)!;
      const from = Math.max(lo, fieldRange.min);
      const to = Math.min(hi, fieldRange.max);
      let type = f.scalar !== null ? TS_SCALAR[f.scalar] : this.nested(f, message, from, to);
      if (f.array) type = `${type}[]`;
      const nullable = overlaps(range(f.spec.nullableVersions), from, to);
      if (nullable || f.scalar === 'records') type = `${type} | null`;
      const optional = !covers(fieldRange, lo, hi) || f.spec.taggedVersions !== undefined;
      lines.push(`  /** ${describeVersions(f.spec, lo, hi)} */\n  ${camel(f.spec.name)}${optional ? '?' : ''}: ${type};`);
    }
    this.blocks.push(`export interface ${interfaceName} {\n${lines.join('\n')}\n}`);
  }

  private nested(f: Resolved, message: string, lo: number, hi: number): string {
    const name = this.nameFor(f.structName!, message);
    this.emit(name, f.fields, message, lo, hi);
    return name;
  }
}

function describeVersions(f: SpecField, lo: number, hi: number): string {
  const r = range(f.versions)!;
  const from = Math.max(lo, r.min);
  const to = Math.min(hi, r.max);
  let text = from === lo && to === hi ? 'All versions' : from === to ? `v${from}` : to === hi ? `v${from}+` : `v${from}-v${to}`;
  if (f.nullableVersions) text += `; nullable ${f.nullableVersions}`;
  if (f.taggedVersions) text += `; tagged ${f.taggedVersions} (tag ${f.tag})`;
  if (f.default !== undefined) text += `; default ${f.default === '' ? '""' : f.default}`;
  return `${text}.`;
}

/** Kafka protocol guide notation for one version of a message. */
function grammar(title: string, fields: Resolved[], v: number, flexible: boolean): string[] {
  const lines: string[] = [];
  const describe = (list: Resolved[], depth: number, head: string): void => {
    const present = list.filter((f) => has(range(f.spec.versions), v));
    const regular = present.filter((f) => !(flexible && has(range(f.spec.taggedVersions), v)));
    const names = regular.map((f) => (f.array ? `[${snake(f.spec.name)}]` : snake(f.spec.name)));
    if (flexible) names.push('TAG_BUFFER');
    lines.push(`${'  '.repeat(depth)}${head} => ${names.join(' ')}`.trimEnd());
    for (const f of regular) {
      if (f.scalar === null) {
        describe(f.fields, depth + 1, snake(f.spec.name));
        continue;
      }
      const nullable = has(range(f.spec.nullableVersions), v);
      let type = { int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64', uint16: 'UINT16', uint32: 'UINT32', float64: 'FLOAT64', bool: 'BOOLEAN', uuid: 'UUID', string: 'STRING', bytes: 'BYTES', records: 'RECORDS' }[f.scalar]!;
      if (f.array) type = flexible ? `COMPACT_ARRAY(${type})` : `ARRAY(${type})`;
      else if (['string', 'bytes', 'records'].includes(f.scalar)) type = `${flexible ? 'COMPACT_' : ''}${nullable && f.scalar !== 'records' ? 'NULLABLE_' : ''}${type}`;
      lines.push(`${'  '.repeat(depth + 1)}${snake(f.spec.name)} => ${type}`);
    }
  };
  describe(fields, 0, title);
  return lines;
}

function grammarComment(api: string, kind: string, fields: Resolved[], lo: number, hi: number, flexibleFrom: number): string {
  const groups: Array<{ from: number; to: number; text: string[] }> = [];
  for (let v = lo; v <= hi; v++) {
    const body = grammar('', fields, v, v >= flexibleFrom).join('\n');
    const last = groups.at(-1);
    if (last && last.text.join('\n') === body) last.to = v;
    else groups.push({ from: v, to: v, text: body.split('\n') });
  }
  const out: string[] = [];
  for (const g of groups) {
    const label = g.from === g.to ? `Version: ${g.from}` : `Versions: ${g.from}-${g.to}`;
    out.push(` * ${api} ${kind} (${label})${g.text[0].replace(/^ =>/, ' =>')}`);
    for (const line of g.text.slice(1)) out.push(` * ${line}`);
    out.push(' *');
  }
  return out.join('\n');
}

function generate(dir: string, api: string, lo: number, hi: number): { file: string; exportName: string } {
  const request = readSpec(dir, `${api}Request.json`);
  const response = readSpec(dir, `${api}Response.json`);
  const valid = range(request.validVersions)!;
  // Kafka 4.0 removed the oldest versions (KIP-896) and the fields only they had, so they cannot be generated from these
  // specs. Produce keeps v0-v2 because its fields still cover them and librdkafka needs v0 advertised (KAFKA-18659).
  if (lo < valid.min && api !== 'Produce') throw new Error(`${api}: v${lo} is below the specs' oldest version v${valid.min}`);
  const flex = range(request.flexibleVersions);
  const flexibleFrom = flex && flex.max >= lo && flex.min <= hi ? Math.max(flex.min, lo) : Infinity;
  const reqFields = resolve(request.fields, request, lo, hi);
  const resFields = resolve(response.fields, response, lo, hi);

  const types = new TypeEmitter(api, lo, hi);
  types.emit(`${api}Request`, reqFields, `${api}Request`);
  types.emit(`${api}Response`, resFields, `${api}Response`);

  const exportName = `${api}Api`;
  const file = `// Generated by scripts/generate-apis.ts from Apache Kafka's ${api}Request.json and ${api}Response.json.
// Regenerate rather than edit.
import { defineApi } from '../schema/define-api.ts';

/*
${grammarComment(api, 'Request', reqFields, lo, hi, flexibleFrom)}
${grammarComment(api, 'Response', resFields, lo, hi, flexibleFrom)}
 */

${types.blocks.join('\n\n')}

export const ${exportName} = defineApi<${api}Request, ${api}Response>({
  name: '${api}',
  key: ${request.apiKey},
  minVersion: ${lo},
  maxVersion: ${hi},
  flexibleFrom: ${flexibleFrom === Infinity ? 'Infinity' : flexibleFrom},
  request: [
${schemaLiteral(reqFields, '    ')}
  ],
  response: [
${schemaLiteral(resFields, '    ')}
  ],
});
`;
  return { file, exportName };
}

const defaultSpecDir = fileURLToPath(new URL('../spec/messages/', import.meta.url));

/** Every generated file (src/apis/<name>.ts and index.ts) with its contents, without writing anything. */
export function generateAll(dir = defaultSpecDir): Map<string, string> {
  const files = new Map<string, string>();
  const entries: string[] = [];
  for (const [api, lo, hi] of SUPPORTED) {
    const newest = KAFKA_4_1_MAX[api];
    if (newest === undefined || hi > newest) throw new Error(`${api}: v${hi} is past Kafka 4.1 (v${newest})`);
    const { file, exportName } = generate(dir, api, lo, hi);
    files.set(`${kebab(api)}.ts`, file);
    entries.push(`export { ${exportName} } from './${kebab(api)}.ts';\nexport type * from './${kebab(api)}.ts';`);
  }
  files.set('index.ts', `// Generated by scripts/generate-apis.ts. Regenerate rather than edit.\n${entries.join('\n')}\n`);
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = new URL('../src/apis/', import.meta.url);
  const files = generateAll(process.argv[2]);
  for (const [name, text] of files) writeFileSync(new URL(name, outDir), text);
  console.log(`generated ${files.size - 1} APIs`);
}
