# One image for every Gwanje Node service (control-api center, edge agent); the command picks.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY firmware-config/package.json firmware-config/
COPY edge-agent/package.json edge-agent/
COPY gateway/package.json gateway/
COPY control-api/package.json control-api/
COPY web-console/package.json web-console/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:console

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production GWANJE_DATA_DIR=/data
VOLUME /data
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "control-api/src/main.ts"]
