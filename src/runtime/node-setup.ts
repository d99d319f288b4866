/** What every Node entry point (server, ingest command) builds from the environment. */
import { randomUUID } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { readRuntimeConfig, type RuntimeConfig } from "../config/env.ts";
import { ConfigError } from "../config/error.ts";
import { parseSiteSettings, type Site } from "../config/site.ts";
import type { Logger } from "../model/logger.ts";
import { createIngestState, type IngestDeps, type LeaseOwner } from "../ingest/deps.ts";
import { readContentFolder } from "../ingest/sources/content-disk.ts";
import { openSqliteStore } from "../store/sqlite.ts";
import { checkedFetch } from "./node-fetch.ts";

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
  const site: Site = {
    settings: parseSiteSettings(settingsText, settingsPath),
    siteUrl: config.siteUrl,
    hubs: config.websubHubs,
    ...(config.indexNow ? { indexNow: config.indexNow } : {}),
  };
  const store = openSqliteStore(config.databasePath);
  const ingestDeps: IngestDeps = {
    store,
    site,
    fetch: globalThis.fetch,
    fetchChecked: checkedFetch(),
    now: Date.now,
    logger,
    content: () => readContentFolder(config.contentDir),
    lease: processLease(),
    state: createIngestState(),
  };
  return { config, site, store, logger, ingestDeps };
}

/**
 * The ingest lease's view of processes on this machine: a holder names its host, PID namespace,
 * process id and a token of that process's life, and one whose process no longer exists (signal 0
 * finds none, or this process now has its id) has died, so its lease is taken over at once instead of
 * blocking runs until it expires. A holder elsewhere, or one that cannot be checked, counts as alive.
 */
export function processLease(): LeaseOwner {
  const pid = process.pid;
  const life = randomUUID().slice(0, 8);
  let namespace = "";
  try {
    namespace = `/${/\d+/.exec(readlinkSync("/proc/self/ns/pid"))?.[0] ?? ""}`;
  } catch {
    // Not Linux: the host name alone says which machine.
  }
  const machine = `${hostname()}${namespace}`;
  return {
    owner: `${machine}:${pid}:${life}`,
    isDead(holder) {
      const match = /^(.*):(\d+):([0-9a-f]{8}):[^:]+$/.exec(holder);
      if (!match || match[1] !== machine) return false;
      if (Number(match[2]) === pid) return match[3] !== life;
      try {
        process.kill(Number(match[2]), 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === "ESRCH";
      }
    },
  };
}

/** Prints a start-up failure the way a person can act on it, and exits non-zero. */
export function exitWith(error: unknown, logger: Logger = consoleLogger): never {
  logger.error(error instanceof ConfigError ? error.message : `start: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
}
