# syntax=docker/dockerfile:1
# One Dockerfile for every deployable of the monorepo. Pick it with the APP_PATH build argument:
#   docker build --build-arg APP_PATH=apps/ingest -t wt/ingest .
#   docker build --build-arg APP_PATH=tools/cli   -t wt/cli .      # topics ensure, demo
# Stages: all dependencies -> build (SWC via Nx, the app and the libs it uses) -> production
# dependencies only -> a slim runtime that runs as the unprivileged `node` user (uid 1000).
# Node 22 LTS: the version tools/stack/node-runtime.mjs pins (package.json engines: >=22.15.0).
ARG NODE_VERSION=22.23.5

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS build
ARG APP_PATH=apps/ingest
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
COPY . .
RUN test -f "${APP_PATH}/project.json" || { echo "APP_PATH=${APP_PATH} is not a project (no project.json)"; exit 1; } \
 && PROJECT="$(node -p "require('./${APP_PATH}/project.json').name")" \
 && npx nx run "${PROJECT}:build" --outputStyle=static \
 && test -f "dist/${APP_PATH}/src/main.js" \
 && printf "require('./%s/src/main.js');\n" "${APP_PATH}" > dist/entrypoint.js

FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG APP_PATH=apps/ingest
LABEL org.opencontainers.image.title="wt ${APP_PATH}" \
      org.opencontainers.image.description="Consent-aware WhatsApp targeting platform: ${APP_PATH}"
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=prod-deps --chown=root:root /src/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist ./dist
COPY --chown=root:root package.json ./
# Files belong to root and are read-only for the process; the root filesystem can be mounted read-only.
USER node
# PORT is each service's HTTP port (health, metrics, API); the CLI image ignores it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/entrypoint.js"]
