/**
 * KIP-848 consumer groups against the classic protocol's cost, in one run on one broker process:
 *   - baseline: classic Heartbeat round trips, one at a time, for a Stable classic group
 *   - ConsumerGroupHeartbeat round trips of a member at its target (the steady state), in a group of
 *     2 members over 6 partitions and in one of BENCH_MEMBERS members over BENCH_PARTITIONS partitions
 *   - the rebalance of that large group when one more member joins: heartbeats (all members in turn)
 *     and wall time until ConsumerGroupDescribe says Stable again
 * Run: `node --import tsx bench/consumer-groups.ts` (apps/broker must be built). Prints figures; not part of `npm test`.
 */
import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../test/helpers/broker.ts';
import { RawKafkaClient } from '../test/helpers/raw-kafka-client.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5000);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 200);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 2000);
const TOPICS = 10;

type Owned = { topicId: string; partitions: number[] }[];
interface Member {
  memberId: string;
  epoch: number;
  owned: Owned;
}

const broker = await startBroker({ config: { limits: { maxPartitions: PARTITIONS + 100 } } });
const admin = new Kafka({ clientId: 'bench-admin', brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.createTopics({
  topics: [{ topic: 'small', numPartitions: 6 }, ...Array.from({ length: TOPICS }, (_, i) => ({ topic: `large-${i}`, numPartitions: PARTITIONS / TOPICS }))],
});
await admin.disconnect();
const client = await RawKafkaClient.connect(broker.port);

async function perSecond(what: string, send: () => Promise<number>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < SAMPLES; i++) {
    const errorCode = await send();
    if (errorCode !== ErrorCode.NONE) throw new Error(`${what}: error ${errorCode}`);
  }
  const rate = SAMPLES / ((performance.now() - start) / 1000);
  console.log(`${what}: ${Math.round(rate)} requests/s`);
  return rate;
}

const beat = async (groupId: string, m: Member, topics: string[]) => {
  const r = await client.request(Api.ConsumerGroupHeartbeat, 1, {
    groupId,
    memberId: m.memberId,
    memberEpoch: m.epoch,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: m.epoch === 0 ? 60_000 : -1,
    subscribedTopicNames: m.epoch === 0 ? topics : null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: m.epoch === 0 ? [] : m.owned,
  });
  if (r.errorCode === ErrorCode.NONE) {
    m.epoch = r.memberEpoch;
    if (r.assignment) m.owned = r.assignment.topicPartitions;
  }
  return r.errorCode as number;
};
const state = async (groupId: string) =>
  (await client.request(Api.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0].groupState as string;

/** Heartbeats every member in turn until the group is Stable; returns the heartbeats sent. */
async function settle(groupId: string, members: Member[], topics: string[]): Promise<number> {
  let sent = 0;
  for (let round = 0; round < 50; round++) {
    for (const m of members) {
      await beat(groupId, m, topics);
      sent++;
    }
    if ((await state(groupId)) === 'Stable') return sent;
  }
  throw new Error(`${groupId} did not settle`);
}

// Baseline: a one-member classic group, Stable.
const joined = await client.request(Api.JoinGroup, 5, {
  groupId: 'classic',
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 30_000,
  memberId: '',
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
});
await client.request(Api.SyncGroup, 3, { groupId: 'classic', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, assignments: [] });
const baseline = await perSecond('classic Heartbeat (baseline)', () =>
  client.request(Api.Heartbeat, 3, { groupId: 'classic', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null }).then((r) => r.errorCode),
);

const small = [{ memberId: 's1', epoch: 0, owned: [] }, { memberId: 's2', epoch: 0, owned: [] }] as Member[];
await settle('small', small, ['small']);
const smallRate = await perSecond('ConsumerGroupHeartbeat, 2 members x 6 partitions', () => beat('small', small[0]!, ['small']));

const largeTopics = Array.from({ length: TOPICS }, (_, i) => `large-${i}`);
const large: Member[] = Array.from({ length: MEMBERS }, (_, i) => ({ memberId: `m${String(i).padStart(4, '0')}`, epoch: 0, owned: [] }));
let start = performance.now();
const formed = await settle('large', large, largeTopics);
console.log(`forming ${MEMBERS} members x ${PARTITIONS} partitions: ${formed} heartbeats, ${Math.round(performance.now() - start)} ms`);
const largeRate = await perSecond(`ConsumerGroupHeartbeat, ${MEMBERS} members x ${PARTITIONS} partitions`, () => beat('large', large[0]!, largeTopics));

large.push({ memberId: 'newcomer', epoch: 0, owned: [] });
start = performance.now();
const rebalance = await settle('large', large, largeTopics);
console.log(`one member joining it: ${rebalance} heartbeats, ${Math.round(performance.now() - start)} ms to Stable`);
console.log(`steady-state heartbeat vs classic: small ${(smallRate / baseline).toFixed(2)}x, large ${(largeRate / baseline).toFixed(2)}x`);

client.close();
await broker.stop();
