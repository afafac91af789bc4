# fargate-operator: `fargatectl controller` on Node 22 (the AWS SDK needs Node >= 22 from January 2027).
# Build: docker build -t fargate-operator .   Run: docker run fargate-operator controller --help

FROM node:22-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (tsc) runs below, once the sources are here.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:22-slim
ENV NODE_ENV=production \
    FARGATE_OPERATOR_METRICS_ADDRESS=0.0.0.0:8080
# The V8 heap limit of the operator's 1 GiB task (a quarter, as Node derives it from a cgroup memory limit it can
# see), stated so it does not depend on that detection: V8 sizes its heap growth from this limit, and a host-sized
# limit lets the heap balloon before collecting (10,000 records: ~167 MB RSS with it, ~275 MB on a 24 GB host
# without it; docs/performance.md). Raise it with the task's memory; override with -e NODE_OPTIONS=….
ENV NODE_OPTIONS="--max-old-space-size=256"
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY examples ./examples
# The image's own unprivileged user; the controller needs no file system writes.
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/fargatectl.js"]
CMD ["controller"]
