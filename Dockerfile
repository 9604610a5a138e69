# syntax=docker/dockerfile:1
# Multi-stage image for Switchboard's API and worker (one image, two commands).
# Not built on the development machines (no Docker engine there); see README "Running on a cluster".

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY config ./config
# Workflows are bundled here, once, so workers start without webpack and all run identical code. It writes
# dist/workflow-bundle.js and dist/workflow-bundle.encrypted.js; workers with PAYLOAD_ENCRYPTION_KEYS run the latter.
RUN npm run build && npm run build:workflow-bundle -- dist/workflow-bundle.js

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
# The operator CLI (`npx switchboard transfers|replay`) runs the sources through tsx.
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
USER node
EXPOSE 3000
CMD ["node", "dist/src/api/main.js"]
