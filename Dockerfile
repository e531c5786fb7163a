# The homecare service: broker + dispatcher + console in one process.
# Node 24, an LTS in support (Node 20 left support in April 2026); the code also runs on 20.

# The operators' web page is built here (vite is a dev dependency) and only its output is kept.
FROM node:24-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY contract ./contract
COPY dispatch-console/web ./dispatch-console/web
RUN npm run build:web

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY common ./common
COPY contract ./contract
COPY db ./db
COPY gateway ./gateway
COPY dispatch-console ./dispatch-console
COPY --from=web /app/dispatch-console/web/dist ./dispatch-console/web/dist
COPY device-sim ./device-sim
COPY runtime ./runtime
# DATA_DIR (embedded database, local state) must be writable by the user the service runs as
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000 1883 8083
# Listen on all interfaces inside the container; the compose file decides what is published.
ENV HTTP_HOST=0.0.0.0 MQTT_HOST=0.0.0.0 DATA_DIR=/data
STOPSIGNAL SIGTERM
# node directly (not npm start): the page is already built above, and signals reach the service
CMD ["node", "--import", "tsx", "runtime/main.ts"]
