# syntax=docker/dockerfile:1
#
# One image for every omise-sync process; the command picks the role:
#   docker run IMAGE receiver | worker | migrate | emulator | backfill | reconcile | replay | status
# Build from the repository root: docker build -t omise-sync .
# Checked statically in CI by scripts/check-dockerfile.mjs (no Docker engine there). Built and
# run for real on 2026-11-23 on the Node 20 base (Docker 20.10 with BuildKit, docker-compose
# 1.29): every stage built, the image ran as uid 10001 without npm or dev dependencies, and
# `docker-compose up` brought up migrate (exit 0), receiver, emulator and worker healthy,
# projecting the demo. The Node 24 base has not been built here since (no Docker engine); CI
# runs every test on Node 24 instead (.ci/run).
#
# Stages:
#   manifests  the lockfile and every workspace's package.json, nothing else
#   build      full install (dev tools included) and `turbo run build`; collects each dist/
#   prod-deps  `npm ci --omit=dev` from the same manifests: production dependencies only
#   runtime    prod-deps + the compiled dist/ folders, non-root, read-only-root friendly

# Node 24, the active LTS line (Node 20 is past its end of life); package.json "engines" still
# allows 20.19+, and CI tests on both. Pinned by digest (node 24.18.0 on bookworm-slim) so every
# build starts from the same bytes; move the digest forward with each Node 24 release.
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false \
    TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1

# The dependency layers below must only be rebuilt when a manifest or the lockfile changes.
# COPY --parents would do this in one line but is still a labs-only flag that silently skips
# missing files, so the manifests are picked out here. BuildKit keys the later
# `COPY --from=manifests` on the files' content, so editing a source file leaves `npm ci` cached.
# The list must name every entry of package.json "workspaces" (check-dockerfile.mjs checks it);
# a glob that matches nothing stays literal and makes `cp` fail the build instead of silently
# producing an install without that workspace.
FROM base AS manifests
COPY . /context
RUN mkdir -p /manifests \
    && cd /context \
    && cp package.json package-lock.json .npmrc /manifests/ \
    && for manifest in packages/*/package.json services/*/package.json infra/package.json; do \
         mkdir -p "/manifests/$(dirname "$manifest")" \
         && cp "$manifest" "/manifests/$manifest"; \
       done

FROM base AS build
COPY --from=manifests /manifests/ ./
# Install scripts are skipped: the build needs only tsc and turbo, and no dependency's
# install script should run with access to the build context.
# `--json=false` overrides the repository's .npmrc (json=true, for clean `npm run cli -- … --json`).
# `npm ci`, except where npm rejects the lockfile because the registry it was written against
# did not serve other platforms' optional packages (@swc/core-darwin-*, @turbo/windows-* …):
# then `npm install` from the same lockfile, which keeps every version it lists (as .ci/run).
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --ignore-scripts --json=false \
    || { echo 'npm ci refused the lockfile; installing from it with npm install'; \
         npm install --ignore-scripts --no-save --json=false; }
COPY . .
RUN npx turbo run build --output-logs=errors-only
# Collect exactly the compiled output of each workspace (type declarations are not needed at
# run time; source maps are kept so stack traces point at the TypeScript lines).
RUN mkdir -p /dist-out \
    && for dist in packages/*/dist services/*/dist; do \
         mkdir -p "/dist-out/$dist" && cp -a "$dist/." "/dist-out/$dist/"; \
       done \
    && find /dist-out \( -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.tsbuildinfo' \) -delete

FROM base AS prod-deps
COPY --from=manifests /manifests/ ./
# Production dependencies only. No dependency the services use needs an install script:
# msgpackr-extract (BullMQ's optional native msgpack) loads its prebuilt platform package at
# run time and falls back to pure JavaScript without it.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    { npm ci --omit=dev --ignore-scripts --json=false \
      || { echo 'npm ci refused the lockfile; installing from it with npm install'; \
           npm install --omit=dev --ignore-scripts --no-save --json=false; }; } \
    && rm -f .npmrc

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="omise-sync" \
      org.opencontainers.image.description="Keeps Postgres in step with Omise: webhook receiver, projection worker, migrations, reconciliation." \
      org.opencontainers.image.licenses="UNLICENSED"

# uid/gid 10001: outside the range of users baked into base images (node is 1000), and numeric
# so Kubernetes can verify runAsNonRoot. The app files stay owned by root: the process can read
# its code but not change it. npm, npx, corepack and yarn are removed: nothing installs at run
# time, and they are most of the base image's scanner findings.
RUN groupadd --system --gid 10001 omise-sync \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
         --shell /usr/sbin/nologin omise-sync \
    && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
         /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
         /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*

# Read-only root filesystem: nothing here writes outside /tmp (logs go to stdout as JSON), and
# Kubernetes mounts an emptyDir there.
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    TMPDIR=/tmp

WORKDIR /app
COPY --from=prod-deps /app/ ./
COPY --from=build /dist-out/ ./

USER 10001:10001

# Receiver HTTP (PORT) and worker metrics (METRICS_PORT); the emulator uses its --port.
EXPOSE 8080 9464

# node runs as PID 1 on purpose, without tini: every command installs SIGTERM/SIGINT handlers
# (PID 1 gets no default signal action, so a handler is required) and drains within
# SHUTDOWN_TIMEOUT_MS, and node spawns no child processes, so there are no zombies to reap.
# docker-compose adds `init: true` anyway, so Ctrl-C on a one-shot command is never ignored.
# No HEALTHCHECK: Kubernetes probes /healthz and /readyz, and compose declares its own checks.
ENTRYPOINT ["node", "services/cli/dist/main.js"]
