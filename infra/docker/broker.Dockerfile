# syntax=docker/dockerfile:1
# Fjord broker. Build from the repository root:
#   docker build -f infra/docker/broker.Dockerfile -t fjord/broker .
# Run with a config file:  docker run -v $PWD/broker.json:/etc/fjord/broker.json fjord/broker --config /etc/fjord/broker.json
# or with the config in the environment, as the ECS orchestrator does:  -e FJORD_BROKER_CONFIG_JSON='{...}'
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Every workspace manifest at its own path, plus the lockfile (see control-plane.Dockerfile).
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name node_modules -prune -o -name package.json -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json /manifests/

# Production dependencies of the broker and the workspaces it imports (see control-plane.Dockerfile).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace @fjord/broker

# The broker as one bundled ES module (no tsx at run time): every dependency, dev ones included,
# to run esbuild over the sources.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund --include-workspace-root \
      --workspace @fjord/broker
COPY tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY apps/broker ./apps/broker
RUN node apps/broker/scripts/build.mjs

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Application files are owned by root and read-only to the broker; only its data directory is
# writable by the image's `node` user.
# The bundle, and the production node_modules for the native codecs it loads on first use.
COPY --from=deps /app ./
COPY --from=build /src/apps/broker/dist ./apps/broker/dist
COPY --chmod=0755 infra/docker/broker-entrypoint.sh /usr/local/bin/fjord-broker
RUN mkdir -p /var/lib/fjord/broker && chown -R node:node /var/lib/fjord
USER node
EXPOSE 9092
ENTRYPOINT ["/usr/local/bin/fjord-broker"]
