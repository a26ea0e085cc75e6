import fp from 'fastify-plugin';

/** Two years, subdomains included: what hstspreload.org asks of a site served over HTTPS only. */
export const strictTransportSecurityHeader = 'max-age=63072000; includeSubDomains';

/**
 * Tells browsers to reach this API over HTTPS only (RFC 6797), on every answer, errors included.
 * One header, so a hook rather than @fastify/helmet, whose other defaults (a content security policy
 * among them) would need turning off one by one.
 */
export const transportSecurity = fp(
  async (app) => {
    app.addHook('onSend', async (_req, reply) => {
      reply.header('strict-transport-security', strictTransportSecurityHeader);
    });
  },
  { name: 'fjord-transport-security' },
);
