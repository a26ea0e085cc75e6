import { Api, ErrorCode, type ApiVersionsResponseApiVersion } from '@fjord/kafka-protocol';
import { defineHandler } from './handler.ts';

/** Built from the version tables of the handlers the broker registers, never from a hand-written list. */
export function apiVersionsHandler(supported: () => ApiVersionsResponseApiVersion[]) {
  return defineHandler(Api.ApiVersions, () => ({
    errorCode: ErrorCode.NONE,
    apiKeys: supported(),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  }));
}
