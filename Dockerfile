# syntax=docker/dockerfile:1
#
#   docker build -t ai-gateway --build-arg AI_GATEWAY_COMMIT="$(git rev-parse --short=12 HEAD)" .
#   docker run --rm -p 3000:3000 -v "$PWD/.env:/etc/ai-gateway/.env:ro" ai-gateway
#
# The image holds one file of ours, the self-contained executable, on a distroless base
# (glibc and CA certificates; no shell, no package manager) and runs it as a non-root user.

# 1. Runtime dependencies exactly as package-lock.json pins them: `npm ci` fails if package.json
#    and the lock file disagree. The build needs no dev dependency (the Bun that builds comes
#    from stage 2), and no package install script needs to run.
FROM node:22-bookworm-slim AS dependencies
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 2. The executable, built by the Bun version package.json pins, for the platform being built
#    (docker buildx --platform linux/arm64 builds an arm64 one). A glibc image: the result
#    needs glibc, which the distroless base has (distroless/static does not).
FROM oven/bun:1.4.5 AS build
WORKDIR /build
COPY --from=dependencies /build/node_modules ./node_modules
COPY package.json ./package.json
COPY src ./src
COPY scripts/build.ts ./scripts/build.ts
# There is no .git in the build context: the commit shown by `ai-gateway --version` comes from here.
ARG AI_GATEWAY_COMMIT=unknown
ENV AI_GATEWAY_COMMIT=${AI_GATEWAY_COMMIT}
RUN bun scripts/build.ts --outfile dist/ai-gateway

# 3. Runtime.
FROM gcr.io/distroless/base-nossl-debian12:nonroot
COPY --from=build /build/dist/ai-gateway /ai-gateway
# The gateway reads .env from its working directory: mount one here, or pass settings with -e.
WORKDIR /etc/ai-gateway
# Inside a container the gateway must listen on every interface to be reachable at all;
# outside one the default stays 127.0.0.1.
ENV HOST=0.0.0.0
EXPOSE 3000
# 65532 is distroless's "nonroot"; numeric, so `runAsNonRoot` in Kubernetes can verify it.
USER 65532:65532
# No shell or curl here: the binary checks itself, with the same settings (.env and -e).
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/ai-gateway", "healthcheck"]
# PID 1 without an init: the gateway handles SIGTERM itself (drain, then exit 0), so
# `docker stop` waits for in-flight streams. Give it longer than SHUTDOWN_TIMEOUT_MS: docker stop -t 40.
ENTRYPOINT ["/ai-gateway"]
