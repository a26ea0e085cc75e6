import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { PrismaClient } from '@fjord/db';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomBytes } from 'node:crypto';
import { findFreePort } from '@fjord/orchestrator';
import { ClusterSecrets } from './cluster-secrets.ts';
import { createServices, type Services } from './composition.ts';
import { internalRoutes } from './internal/internal.routes.ts';
import type { BrokerPlacement } from './modules/clusters/clusters.service.ts';
import type { TieredStorage } from './modules/topics/tiered-bytes.ts';
import { registerModules } from './modules/index.ts';
import { Housekeeping } from './housekeeping.ts';
import { parseJsonBodies } from './json-body.ts';
import { authContext, sessionCookie } from './plugins/auth-context.ts';
import { consoleSite, defaultConsoleDir, loadConsolePage } from './plugins/console.ts';
import { clientErrorHandler, frameworkErrors } from './plugins/framework-errors.ts';
import { idempotency } from './plugins/idempotency.ts';
import { problemDetails } from './plugins/problem-details.ts';
import { defaultRateLimits, rateLimits, type RateLimits } from './plugins/rate-limits.ts';
import { genReqId, requestId } from './plugins/request-id.ts';
import { sameOrigin } from './plugins/same-origin.ts';
import { transportSecurity } from './plugins/transport-security.ts';

export interface AppDeps {
  prisma: PrismaClient;
  /** pino options, a logger, or false (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** Requests per window (ms) of each limit, counted in the database across replicas (defaults: plugins/rate-limits). */
  rateLimits?: Partial<RateLimits>;
  /** Which proxies' X-Forwarded-For to believe for the client address: a hop count or addresses/CIDRs (default: none). */
  trustProxy?: number | string[];
  /** Mark the session cookie Secure (set when served over HTTPS). */
  secureCookies?: boolean;
  /** Send Strict-Transport-Security on every answer (production, served over HTTPS only). */
  strictTransportSecurity?: boolean;
  sessionTtlMs?: number;
  /** A session unused this long has ended (default 7 days). */
  sessionIdleMs?: number;
  /** How often ended sessions are deleted (default hourly), in batches of at most 1,000. */
  sessionPurgeEveryMs?: number;
  /** Derives the per-cluster broker tokens and admin credentials (random per app when absent: tests). */
  clusterSecrets?: ClusterSecrets;
  /** Where new clusters' brokers listen (default: a free port on 127.0.0.1). */
  placement?: BrokerPlacement;
  /** The object store clusters tier into, read for topics' remote bytes (default: none, nothing is remote). */
  tieredStorage?: TieredStorage;
  /** Wakes the reconciler after a cluster change. */
  onClusterChange?: () => void;
  /** How often a request waiting on a cluster (`?waitFor=`) looks again, for another replica's changes (default 500 ms). */
  clusterWaitRecheckMs?: number;
  /** How long a request waits for a database transaction before it answers 503 (default 10 s). */
  transactionWaitMs?: number;
  /** How long a resolved cloud API key is trusted before the database is asked again (default 2 s; 0: always ask). */
  apiKeyCacheMs?: number;
  /** How often expired rows (idempotency records, rate-limit windows) are purged (default 60 s; 0: never, tests run rounds themselves). */
  housekeepingMs?: number;
  /** The built web console to serve at `/` (default: apps/console/dist; false: none). */
  consoleDir?: string | false;
  /** Where users reach the API (FJORD_PUBLIC_URL): a browser request from that origin is same-origin. */
  publicUrl?: string;
  /** What time it is for metering and billing (default: the system clock; tests move it past a month end). */
  clock?: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    /** Set when shutdown begins: readiness fails so load balancers stop sending traffic while requests drain. */
    draining: boolean;
    /** Purges expired rows on a timer while the app is ready. */
    housekeeping: Housekeeping;
  }
}

/** fastify's own hop-count form, which its types leave out: the closest `hops` proxies are believed. */
function trustedProxies(trust: AppDeps['trustProxy']): FastifyServerOptions['trustProxy'] {
  if (typeof trust !== 'number') return trust ?? false;
  return (_address: string, hop: number) => hop < trust;
}

/** The control plane's HTTP app, ready to `listen` or `inject`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    genReqId,
    requestIdHeader: false,
    trustProxy: trustedProxies(deps.trustProxy),
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors,
    clientErrorHandler,
  });
  // The API speaks JSON only: any other body is refused with 415 rather than validated as a string.
  app.removeContentTypeParser('text/plain');
  parseJsonBodies(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const services = createServices(deps.prisma, {
    sessionTtlMs: deps.sessionTtlMs ?? 30 * 24 * 3600 * 1000,
    sessionIdleMs: deps.sessionIdleMs ?? 7 * 24 * 3600 * 1000,
    // Until there is a mailer to tell the address's owner, operators see it.
    onSignupForExistingAccount: (userId, reqId) => app.log.info({ userId, reqId }, 'signup for an email that has an account: answered alike, nothing created'),
    clusterSecrets: deps.clusterSecrets ?? new ClusterSecrets(randomBytes(32)),
    placement: deps.placement ?? { host: '127.0.0.1', allocatePort: () => findFreePort('127.0.0.1') },
    onClusterChange: deps.onClusterChange,
    clusterWaitRecheckMs: deps.clusterWaitRecheckMs,
    transactionWaitMs: deps.transactionWaitMs,
    apiKeyCacheMs: deps.apiKeyCacheMs,
    clock: deps.clock,
    tieredStorage: deps.tieredStorage,
  });
  app.decorate('services', services);
  const housekeepingMs = deps.housekeepingMs ?? 60_000;
  const housekeeping = new Housekeeping({
    tasks: [
      { name: 'idempotency-records', purge: (limit) => services.idempotency.purgeExpired(limit) },
      { name: 'rate-limit-windows', purge: (limit) => services.rateLimits.purgeExpired(limit) },
    ],
    intervalMs: housekeepingMs,
    batch: 1_000,
    logger: app.log.child({ component: 'housekeeping' }),
  });
  app.decorate('housekeeping', housekeeping);
  if (housekeepingMs > 0) app.addHook('onReady', async () => housekeeping.start());
  app.addHook('onClose', () => housekeeping.stop());
  // Long polls (brokers' config, clients' cluster waits) answer with what they have instead of holding the close up.
  app.addHook('preClose', async () => {
    services.clusterConfig.close();
    services.clusterChanges.close();
  });
  // Every replica purges; deleting what another already deleted costs nothing.
  let sessionPurge: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    sessionPurge = setInterval(() => {
      services.accounts.purgeEndedSessions(1_000).catch((err: unknown) => app.log.warn({ err }, 'purging ended sessions failed'));
    }, deps.sessionPurgeEveryMs ?? 3_600_000).unref();
  });
  app.addHook('onClose', async () => clearInterval(sessionPurge));

  await app.register(requestId);
  if (deps.strictTransportSecurity) await app.register(transportSecurity);
  const consoleDir = deps.consoleDir ?? defaultConsoleDir;
  await app.register(problemDetails, { consolePage: loadConsolePage(consoleDir) });
  await app.register(consoleSite, { dir: consoleDir });
  await app.register(sameOrigin, { publicUrl: deps.publicUrl });
  await app.register(cookie);
  await app.register(authContext, { services });
  await app.register(rateLimits, { services, limits: { ...defaultRateLimits, ...deps.rateLimits } });
  await app.register(idempotency, { services });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Fjord API',
        version: '1.0.0',
        description: 'Managed Kafka-compatible streaming. Errors are RFC 9457 problem details (application/problem+json).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A cloud API key secret' },
          session: { type: 'apiKey', in: 'cookie', name: sessionCookie, description: 'Console session (POST /v1/signup or /v1/login)' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.decorate('draining', false);
  // Liveness: the process answers. Readiness (/readyz, and /healthz as the load balancer's check):
  // the database answers and we are not draining.
  app.get('/livez', { schema: { hide: true }, config: { auth: 'public' } }, async () => ({ status: 'ok' }));
  const ready = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    if (app.draining) return reply.code(503).send({ status: 'draining' });
    await services.ping();
    return reply.send({ status: 'ok' });
  };
  app.get('/healthz', { schema: { hide: true }, config: { auth: 'public' } }, ready);
  app.get('/readyz', { schema: { hide: true }, config: { auth: 'public' } }, ready);
  app.get('/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());

  await registerModules(app, services, {
    secureCookies: deps.secureCookies ?? false,
  });
  await app.register(internalRoutes, { services });
  return app;
}
