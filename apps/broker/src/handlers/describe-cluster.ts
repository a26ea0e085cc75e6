import { Api, ErrorCode } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

const OPERATIONS_OMITTED = -2147483648;
const ENDPOINT_BROKERS = 1;

/** The cluster as the Admin client's describeCluster sees it: one broker, which is also the controller. */
export const describeClusterHandler = defineHandler(Api.DescribeCluster, (request, _version, { broker }) => {
  const { config } = broker;
  const endpointType = request.endpointType ?? ENDPOINT_BROKERS;
  const { host, port } = broker.advertised();
  const supported = endpointType === ENDPOINT_BROKERS;
  return {
    throttleTimeMs: 0,
    errorCode: supported ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
    errorMessage: supported ? null : 'only broker endpoints are described',
    endpointType,
    clusterId: config.clusterId,
    controllerId: config.nodeId,
    // A single broker, never fenced (KIP-1073's includeFencedBrokers changes nothing).
    brokers: supported ? [{ brokerId: config.nodeId, host, port, rack: null, isFenced: false }] : [],
    clusterAuthorizedOperations: OPERATIONS_OMITTED,
  };
});
