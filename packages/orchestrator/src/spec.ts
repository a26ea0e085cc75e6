import { createHash } from 'node:crypto';
import { orchestratorError } from './errors.ts';
import type { BrokerSpec } from './orchestrator.ts';

// Cluster ids end up in file paths and ECS resource names (letters, digits, '-' and '_', at most 255).
const CLUSTER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export function assertBrokerRef(clusterId: string, nodeId: number): void {
  if (typeof clusterId !== 'string' || !CLUSTER_ID.test(clusterId)) {
    throw orchestratorError('FJ_ORCH_INVALID_SPEC', `clusterId ${JSON.stringify(clusterId)} must match ${CLUSTER_ID}`);
  }
  if (!Number.isSafeInteger(nodeId) || nodeId < 0) {
    throw orchestratorError('FJ_ORCH_INVALID_SPEC', `nodeId ${JSON.stringify(nodeId)} must be a non-negative integer`);
  }
}

export function assertBrokerSpec(spec: BrokerSpec): void {
  if (spec === null || typeof spec !== 'object') throw orchestratorError('FJ_ORCH_INVALID_SPEC', 'spec must be an object');
  assertBrokerRef(spec.clusterId, spec.nodeId);
  if (typeof spec.host !== 'string' || spec.host.length === 0) {
    throw orchestratorError('FJ_ORCH_INVALID_SPEC', 'host must be a non-empty string');
  }
  if (!Number.isInteger(spec.port) || spec.port < 0 || spec.port > 65535) {
    throw orchestratorError('FJ_ORCH_INVALID_SPEC', `port ${JSON.stringify(spec.port)} must be an integer in 0..65535`);
  }
  if (spec.config === null || typeof spec.config !== 'object') {
    throw orchestratorError('FJ_ORCH_INVALID_SPEC', 'config must be an object');
  }
}

/** A stable digest of a config: equal configs hash equal whatever the key order. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 32);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
