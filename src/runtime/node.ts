/** The Node entry point: settings from the environment, SQLite store, content loaded, HTTP served. */
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseSiteSettings, readRuntimeConfig } from "../config.ts";
import { createApp, type Logger } from "../http/app.ts";
import { loadContentIntoStore } from "../ingest/content-load.ts";
import { openSqliteStore } from "../store/sqlite.ts";

const logger: Logger = {
  info: (message) => console.log(message),
  error: (message) => console.error(message),
};

/** Reads settings and content, then serves until SIGINT or SIGTERM. */
export async function start(env: Record<string, string | undefined> = process.env) {
  const config = readRuntimeConfig(env);
  const settingsPath = join(config.contentDir, "site.yaml");
  let settingsText: string;
  try {
    settingsText = readFileSync(settingsPath, "utf8");
  } catch (error) {
    throw new ConfigError(`config: unable to read ${settingsPath} (CONTENT_DIR is "${config.contentDir}"): ${(error as Error).message}`);
  }
  const site = { settings: parseSiteSettings(settingsText, settingsPath), siteUrl: config.siteUrl };
  const store = openSqliteStore(config.databasePath);
  await loadContentIntoStore(store, site, config.contentDir, logger);

  const app = new Hono();
  app.use("/media/*", serveStatic({ root: config.contentDir }));
  app.get("/media/*", (c) => c.text(`Not found: no media file ${new URL(c.req.url).pathname}\n`, 404));
  app.route("/", createApp({ store, site, logger }));

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    logger.info(`http: serving ${site.settings.name} on http://${config.host}:${info.port} (links use ${config.siteUrl})`);
  });
  server.on("error", (error) => {
    logger.error(`http: unable to listen on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  });
  const stop = () => {
    server.close();
    void store.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return { server, store };
}

start().catch((error) => {
  logger.error(error instanceof ConfigError ? error.message : `start: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
