/**
 * The paths the public load balancer forwards to the control plane, as ALB path patterns (`*` any
 * characters, case-sensitive). An allow list rather than a block list of `/internal`: no spelling of
 * the broker-facing API starts with any of these. A new public route outside /v1 joins this list.
 */
export const PUBLIC_PATHS = ['/v1/*', '/openapi.json', '/healthz', '/livez', '/readyz'] as const;
