# syntax=docker/dockerfile:1
# Fjord control plane. Build from the repository root:
#   docker build -f infra/docker/control-plane.Dockerfile -t fjord/control-plane .
# TypeScript sources run through tsx (a production dependency of the app); there is no build step.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Every workspace manifest at its own path, plus the lockfile. npm ci needs the whole workspace
# map to trust the lockfile, and the stages below are rebuilt only when these files change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name node_modules -prune -o -name package.json -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json /manifests/

# Production dependencies of the control plane and the workspaces it imports, nothing else.
# Install scripts stay off: native parts (@node-rs/crc32, esbuild) come as prebuilt packages.
# No --include-workspace-root: the root manifest has only devDependencies, and with that flag
# npm 11 installs them (prisma, typescript, ...) despite --omit=dev.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace @fjord/control-plane

FROM ${NODE_IMAGE} AS runtime
# RDS for PostgreSQL requires TLS and its certificates chain to Amazon's RDS CAs, which are not in
# Node's default trust store.
ADD --chmod=0644 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    FJORD_DATA_DIR=/var/lib/fjord/control-plane \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/rds-global-bundle.pem
RUN mkdir -p /var/lib/fjord/control-plane && chown node:node /var/lib/fjord/control-plane
WORKDIR /app
# Application files are owned by root and read-only to the process, which runs as the image's
# `node` user; only FJORD_DATA_DIR is writable.
COPY --from=deps /app ./
COPY tsconfig.base.json tsconfig.json ./
COPY prisma ./prisma
COPY packages ./packages
COPY apps/control-plane ./apps/control-plane
COPY apps/console ./apps/console
USER node
EXPOSE 8080
# node --import tsx rather than the tsx CLI: one process, so ECS's SIGTERM reaches the server.
CMD ["node", "--import", "tsx", "apps/control-plane/src/main.ts"]
