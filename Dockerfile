# syntax=docker/dockerfile:1
# Five images from one build, each named in config (README "Images"):
#   docker build --target monitor          -t REGISTRY/gamedb-monitor:0.1.0 .            (monitoring.image)
#   docker build --target restore-verify   -t REGISTRY/gamedb-restore-verify:0.1.0 .     (backup.restoreVerification.image)
#   docker build --target redis-controller -t REGISTRY/gamedb-redis-controller:0.1.0 .   (redis.controllerImage)
#   docker build --target migrate          -t REGISTRY/gamedb-migrate:0.1.0 .            (schema.image)
#   docker build --target mover            -t REGISTRY/gamedb-mover:0.1.0 .              (slotMoves.image)
# Not built in CI here (no container engine); tests/unit/images.test.ts compiles what they run and starts it.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
# The official MySQL image (Oracle Linux) ships mysqld and mysqlsh at the same version: the verifier needs both.
ARG MYSQL_IMAGE=mysql:8.4.3
# The Redis image of the cluster (redis.image's default): the controller runs its redis-cli for --cluster fix.
ARG REDIS_IMAGE=redis:7.2.7-bookworm

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The npm workspace (package.json "workspaces"): npm ci needs its manifest to install from the lock file.
COPY client/package.json ./client/package.json
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY infra ./infra
COPY scripts ./scripts
# The migrate program reads table definitions with the client's describeTable.
COPY client/src ./client/src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS monitor
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# A fixed non-root uid that the Deployment's securityContext names (infra/monitoring/worker.ts MONITOR_UID).
RUN groupadd --system --gid 10001 gamedb && useradd --system --uid 10001 --gid 10001 --no-create-home gamedb
USER 10001:10001
EXPOSE 9464
ENTRYPOINT ["node", "/app/dist/scripts/apps/monitor/main.js"]
CMD ["--config", "/etc/gamedb/monitor/config.json"]

FROM ${MYSQL_IMAGE} AS restore-verify
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# The image's own mysql user (uid 999) runs both the verifier and the throwaway mysqld it starts.
USER 999:999
ENTRYPOINT ["node", "/app/dist/scripts/apps/restore-verify/main.js"]

FROM ${REDIS_IMAGE} AS redis-controller
WORKDIR /app
ENV NODE_ENV=production
# Node from the build stage (Debian bookworm, as the redis image): the controller, and redis-cli beside it.
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# The image's own redis user (uid 999), which the Jobs' securityContext names (infra/redis/cluster.ts REDIS_UID).
USER 999:999
ENTRYPOINT ["node", "/app/dist/scripts/apps/redis-controller/main.js"]

FROM ${NODE_IMAGE} AS migrate
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# The non-root uid the migration Job's and partition CronJob's securityContext names (infra/schema MIGRATE_UID).
RUN groupadd --system --gid 10001 gamedb && useradd --system --uid 10001 --gid 10001 --no-create-home gamedb
USER 10001:10001
ENTRYPOINT ["node", "/app/dist/scripts/apps/migrate/main.js"]

FROM ${NODE_IMAGE} AS mover
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# The non-root uid the movers' Deployments and the slot map gate Job name (infra/moves MOVER_UID).
RUN groupadd --system --gid 10001 gamedb && useradd --system --uid 10001 --gid 10001 --no-create-home gamedb
USER 10001:10001
# The mover's status port (/status, /metrics: infra/contracts/slotMoves.ts statusPort's default).
EXPOSE 9480
ENTRYPOINT ["node", "/app/dist/scripts/apps/mover/main.js"]
