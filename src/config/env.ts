/** The runtime settings (PORT, SITE_URL, INGEST_TOKEN, ...), read from the environment and checked once at start-up. */
import { trimEndMatching } from "../model/text.ts";
import { ConfigError } from "./error.ts";

/** Settings from the environment; the same names serve as wrangler `[vars]`. */
export interface RuntimeConfig {
  port: number;
  host: string;
  databasePath: string;
  contentDir: string;
  /** Public base of every absolute link, without a trailing slash. */
  siteUrl: string;
  /** When the ingest runs, as a cron expression (checked by the runtime that schedules it). */
  ingestSchedule: string;
  /** Bearer token of the push API; the API is off without one. */
  ingestToken: string | null;
  /** Seconds a feed response may be reused by caches and readers. */
  feedMaxAge: number;
  /** WebSub hubs told about every changed feed. */
  websubHubs: string[];
  /** IndexNow: the key and the endpoints told about every changed page; off (null) without INDEXNOW_KEY. */
  indexNow: IndexNowSettings | null;
}

/** What IndexNow (https://www.indexnow.org/documentation) needs: the site's key and where to send. */
export interface IndexNowSettings {
  /** 8 to 128 characters of a-z, A-Z, 0-9 and `-`, served at `/{key}.txt`. */
  key: string;
  endpoints: string[];
}

/** Where pings go unless INDEXNOW_ENDPOINTS says otherwise: the shared endpoint, which passes them to every engine that takes IndexNow. */
export const DEFAULT_INDEXNOW_ENDPOINT = "https://api.indexnow.org/indexnow";

/** Reads the runtime settings from an environment record, with the documented defaults. */
export function readRuntimeConfig(env: Record<string, string | undefined>): RuntimeConfig {
  const value = (name: string, fallback: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === "" ? fallback : v;
  };
  const port = value("PORT", "8787");
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new ConfigError(`config: PORT "${port}" is not a port number from 1 to 65535`);
  }
  const siteUrl = value("SITE_URL", "http://localhost:8787");
  let parsed: URL;
  try {
    parsed = new URL(siteUrl);
  } catch {
    throw new ConfigError(`config: SITE_URL "${siteUrl}" is not an absolute URL such as https://news.example`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(`config: SITE_URL "${siteUrl}" must start with http:// or https://`);
  }
  if (/[?#]/.test(siteUrl)) {
    throw new ConfigError(`config: SITE_URL "${siteUrl}" must not carry a query or fragment`);
  }
  return {
    port: Number(port),
    host: value("HOST", "127.0.0.1"),
    databasePath: value("DATABASE_PATH", "data/articles.db"),
    contentDir: value("CONTENT_DIR", "content"),
    siteUrl: trimEndMatching(parsed.href, /\//),
    ingestSchedule: value("INGEST_SCHEDULE", "*/5 * * * *"),
    ingestToken: tokenOf(env.INGEST_TOKEN),
    feedMaxAge: maxAgeOf(value("FEED_MAX_AGE", "300")),
    websubHubs: parseHubList(env.WEBSUB_HUBS),
    indexNow: indexNowOf(env.INDEXNOW_KEY, env.INDEXNOW_ENDPOINTS),
  };
}

function maxAgeOf(text: string): number {
  if (!/^\d{1,7}$/.test(text)) throw new ConfigError(`config: FEED_MAX_AGE "${text}" is not a number of seconds (0 to 9999999)`);
  return Number(text);
}

/** WEBSUB_HUBS: absolute http(s) URLs separated by commas or white space; a hub named twice counts once. */
export function parseHubList(value: string | undefined): string[] {
  const hubs: string[] = [];
  for (const entry of (value ?? "").split(/[\s,]+/).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError(`config: WEBSUB_HUBS entry "${entry}" is not an absolute URL such as https://pubsubhubbub.appspot.com/`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ConfigError(`config: WEBSUB_HUBS entry "${entry}" must start with http:// or https://`);
    }
    if (!hubs.includes(url.href)) hubs.push(url.href);
  }
  return hubs;
}

/** INDEXNOW_KEY and INDEXNOW_ENDPOINTS: null without a key; a key of the wrong shape or an endpoint that is not a URL is refused. */
export function indexNowOf(rawKey: string | undefined, rawEndpoints: string | undefined): IndexNowSettings | null {
  const key = rawKey?.trim();
  if (!key) return null;
  if (!/^[a-zA-Z0-9-]{8,128}$/.test(key)) {
    throw new ConfigError(
      `config: INDEXNOW_KEY must be 8 to 128 characters of a-z, A-Z, 0-9 and "-" (it is ${key.length} characters${/[^a-zA-Z0-9-]/.test(key) ? ", some of them others" : ""}); or unset to turn IndexNow off`,
    );
  }
  const endpoints: string[] = [];
  for (const entry of (rawEndpoints ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError(`config: INDEXNOW_ENDPOINTS entry "${entry}" is not an absolute URL such as ${DEFAULT_INDEXNOW_ENDPOINT}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ConfigError(`config: INDEXNOW_ENDPOINTS entry "${entry}" must start with https:// (or http://)`);
    }
    if (!endpoints.includes(url.href)) endpoints.push(url.href);
  }
  return { key, endpoints: endpoints.length ? endpoints : [DEFAULT_INDEXNOW_ENDPOINT] };
}

/** A push token must be long enough not to be guessed; a short one is refused rather than trusted. */
function tokenOf(raw: string | undefined): string | null {
  const token = raw?.trim();
  if (!token) return null;
  if (token.length < 16) throw new ConfigError("config: INGEST_TOKEN must be at least 16 characters (or unset to turn the push API off)");
  return token;
}
