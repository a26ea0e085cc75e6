import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBrokerConfig } from '../src/config/broker-config.ts';
import { TopicError } from '../src/topics/topic-error.ts';
import { TopicRegistry } from '../src/topics/topic-registry.ts';

const { log, limits } = parseBrokerConfig({ clusterId: 'c', nodeId: 0, listen: { host: '127.0.0.1', port: 0 }, dataDir: '/x', auth: 'none' });

describe('TopicRegistry', () => {
  let dataDir: string;
  let registry: TopicRegistry;
  const open = (maxPartitions = 10) =>
    TopicRegistry.open({ dataDir, defaults: { log, maxMessageBytes: limits.maxMessageBytes }, maxPartitions, logger: pino({ level: 'silent' }) });
  const code = (fn: () => unknown) =>
    Promise.resolve()
      .then(fn)
      .then(
        () => 'ok',
        (err: unknown) => (err instanceof TopicError ? err.code : String(err)),
      );

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'fjord-topics-'));
    registry = await open();
  });

  afterEach(async () => {
    await registry.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('applies Kafka topic name rules', async () => {
    expect(await code(() => registry.create('', 1, 1, {}))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await code(() => registry.create('.', 1, 1, {}))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await code(() => registry.create('..', 1, 1, {}))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await code(() => registry.create('a/b', 1, 1, {}))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await code(() => registry.create('x'.repeat(250), 1, 1, {}))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await code(() => registry.create('x'.repeat(249), 1, 1, {}))).toBe('ok');
    expect(await code(() => registry.create('Orders_v2.eu-west-1', 1, -1, {}))).toBe('ok');
  });

  it('refuses bad partition counts, replication factors, configs and duplicates', async () => {
    expect(await code(() => registry.create('t', 0, 1, {}))).toBe('INVALID_PARTITIONS');
    expect(await code(() => registry.create('t', 1, 3, {}))).toBe('INVALID_REPLICATION_FACTOR');
    expect(await code(() => registry.create('t', 1, 1, { 'retention.ms': 'soon' }))).toBe('INVALID_CONFIG');
    expect(await code(() => registry.create('t', 1, 1, { 'no.such.config': '1' }))).toBe('INVALID_CONFIG');
    expect(await code(() => registry.create('t', 11, 1, {}))).toBe('POLICY_VIOLATION');
    expect(await code(() => registry.create('t', 2, 1, { 'retention.ms': '1000' }))).toBe('ok');
    expect(await code(() => registry.create('t', 2, 1, {}))).toBe('TOPIC_ALREADY_EXISTS');
    expect(await code(() => registry.addPartitions('t', 2))).toBe('INVALID_PARTITIONS');
    expect(await code(() => registry.addPartitions('missing', 3))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('persists topics, ids, partitions and configs across reopen', async () => {
    const created = await registry.create('orders', 2, 1, { 'retention.ms': '1000' });
    await registry.addPartitions('orders', 3);
    await registry.close();
    registry = await open();
    const topic = registry.get('orders')!;
    expect(topic.topicId).toBe(created.topicId);
    expect(topic.partitions).toHaveLength(3);
    expect(topic.configs).toEqual({ 'retention.ms': '1000' });
    expect(registry.getById(created.topicId)).toBe(topic);
    expect(registry.effectiveConfig(topic).get('retention.ms')).toMatchObject({ value: '1000', isDefault: false });
    expect(registry.effectiveConfig(topic).get('segment.bytes')).toMatchObject({ value: String(log.segmentBytes), isDefault: true });
  });

  it('removes a deleted topic with its data, and data left behind by a crash', async () => {
    await registry.create('gone', 2, 1, {});
    await registry.create('kept', 1, 1, {});
    await registry.delete('gone');
    expect(registry.get('gone')).toBeUndefined();
    expect((await readdir(dataDir)).filter((f) => f.startsWith('gone-'))).toEqual([]);

    await registry.close();
    await mkdir(path.join(dataDir, 'orphan-0'));
    registry = await open();
    const entries = await readdir(dataDir);
    expect(entries).toContain('kept-0');
    expect(entries).not.toContain('orphan-0');
  });
});
