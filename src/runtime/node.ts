/** The Node entry point: settings from the environment, SQLite store, HTTP served, ingest beside it on a schedule. */
import { getRequestListener } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import cron from "node-cron";
import { createServer } from "node:http";
import { ConfigError } from "../config/error.ts";
import { createService } from "../http/app.ts";
import { memoryCache } from "../http/render-cache.ts";
import type { IngestDeps } from "../ingest/deps.ts";
import { releaseScheduled } from "../ingest/release.ts";
import { runIngest } from "../ingest/run.ts";
import { workerCompressor } from "./compressor.ts";
import { everyMinute } from "./minute-timer.ts";
import { withFeedPath } from "./node-feeds.ts";
import { exitWith, nodeSetup } from "./node-setup.ts";
import { workerReader } from "./parse-pool.ts";

/** Requests served at once before the server answers 503 with Retry-After. */
const MAX_IN_FLIGHT = 1024;

/**
 * Reads settings, loads the content folder, serves, then reads the upstream sources beside the serving
 * server and ingests everything on INGEST_SCHEDULE until SIGINT or SIGTERM. Untrusted documents are
 * read in a worker thread (parse-pool.ts), never on the thread that answers requests.
 */
export async function start(env: Record<string, string | undefined> = process.env) {
  const { config, site, store, logger, ingestDeps: setupDeps } = nodeSetup(env);
  if (!cron.validate(config.ingestSchedule)) {
    throw new ConfigError(`config: INGEST_SCHEDULE "${config.ingestSchedule}" is not a cron expression such as */5 * * * *`);
  }
  const reader = workerReader();
  const ingestDeps: IngestDeps = { ...setupDeps, reader };
  // The newsroom's own folder is local and quick: loaded before the first request, so a fresh start
  // serves it. Upstreams may hang or send anything, so they are read only once the server serves.
  await runIngest({ ...ingestDeps, site: { ...site, settings: { ...site.settings, sources: [] } } });
  let running: Promise<unknown> | null = null;
  const ingest = (deps: IngestDeps) => {
    running ??= runIngest(deps).finally(() => (running = null));
    return running;
  };
  const task = cron.schedule(config.ingestSchedule, () => ingest(ingestDeps).then(() => undefined), { noOverlap: true, name: "ingest" });
  // Scheduled articles come out at their minute, and old withdrawals leave the feeds, without waiting for an ingest.
  await releaseScheduled(ingestDeps);
  const minute = everyMinute(() => releaseScheduled(ingestDeps), ingestDeps.now);

  const compressor = workerCompressor();
  const service = createService({
    store,
    site,
    logger,
    ingest: ingestDeps,
    ingestToken: config.ingestToken,
    cache: memoryCache(),
    maxAge: config.feedMaxAge,
    compress: compressor.compress,
    maxInFlight: MAX_IN_FLIGHT,
  });
  const app = new Hono();
  app.use("/media/*", service.securityHeaders);
  app.use("/media/*", serveStatic({ root: config.contentDir }));
  app.get("/media/*", (c) => c.text(`Not found: no media file ${new URL(c.req.url).pathname}\n`, 404));
  app.route("/", service.app);

  const appListener = getRequestListener(app.fetch, { hostname: config.host });
  // The app answers its own failures (its error handler), so the listener's promise has nothing left to report.
  const server = createServer(withFeedPath(service, site, (req, res) => void appListener(req, res)));
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    logger.info(`http: serving ${site.settings.name} on http://${config.host}:${port} (links use ${config.siteUrl})`);
    if (site.settings.sources.length) void ingest({ ...ingestDeps, content: undefined });
  });
  server.on("error", (error) => {
    logger.error(`http: unable to listen on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  });
  const stop = () => {
    void task.stop();
    minute.stop();
    server.close();
    void Promise.all([store.close(), compressor.close(), reader.close()]).then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return { server, store };
}

start().catch((error) => exitWith(error));
