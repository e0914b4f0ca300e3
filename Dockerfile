# One image for every Gwanje Node service (control-api center with its simulator beside it when
# GWANJE_SIMULATE > 0, edge agent); the command picks.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY detection/package.json detection/
COPY escalation/package.json escalation/
COPY firmware-config/package.json firmware-config/
COPY media/package.json media/
COPY edge-agent/package.json edge-agent/
COPY gateway/package.json gateway/
COPY control-api/package.json control-api/
COPY web-console/package.json web-console/
RUN npm ci --no-audit --no-fund
COPY . .
# The runtime image has Debian's ffmpeg: the static build npm ships for machines without one is
# dropped before the copy below (68 MB).
RUN npm run build:console && rm -rf node_modules/@ffmpeg-installer

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production GWANJE_DATA_DIR=/data
# The data directory belongs to the user the services run as, and exists before VOLUME: a new
# named volume is initialised from it (ownership included), so the center and the agent can write
# there (issue 17: created by VOLUME alone it was root's). Bind mounts: chown 1000 on the host.
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
VOLUME /data
USER node
EXPOSE 8443
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "scripts/launch.mjs"]
