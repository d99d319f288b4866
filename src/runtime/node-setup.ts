/** What every Node entry point (server, ingest command) builds from the environment. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseSiteSettings, readRuntimeConfig, type RuntimeConfig } from "../config.ts";
import type { Site } from "../feeds/build.ts";
import type { Logger } from "../http/app.ts";
import type { IngestDeps } from "../ingest/run.ts";
import { readContentFolder } from "../ingest/sources/content-files.ts";
import { openSqliteStore } from "../store/sqlite.ts";

export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  error: (message) => console.error(message),
};

/** Settings read and checked, the SQLite store opened and migrated, the ingest's dependencies. */
export function nodeSetup(env: Record<string, string | undefined>, logger: Logger = consoleLogger) {
  const config: RuntimeConfig = readRuntimeConfig(env);
  const settingsPath = join(config.contentDir, "site.yaml");
  let settingsText: string;
  try {
    settingsText = readFileSync(settingsPath, "utf8");
  } catch (error) {
    throw new ConfigError(`config: unable to read ${settingsPath} (CONTENT_DIR is "${config.contentDir}"): ${(error as Error).message}`);
  }
  const site: Site = { settings: parseSiteSettings(settingsText, settingsPath), siteUrl: config.siteUrl, hubs: config.websubHubs };
  const store = openSqliteStore(config.databasePath);
  const ingestDeps: IngestDeps = {
    store,
    site,
    fetch: globalThis.fetch,
    now: Date.now,
    logger,
    content: () => readContentFolder(config.contentDir),
  };
  return { config, site, store, logger, ingestDeps };
}

/** Prints a start-up failure the way a person can act on it, and exits non-zero. */
export function exitWith(error: unknown, logger: Logger = consoleLogger): never {
  logger.error(error instanceof ConfigError ? error.message : `start: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
}
