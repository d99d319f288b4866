/** Settings, parsed and checked once: the environment (runtime) and content/site.yaml (the newsroom). */
import { parse as parseYaml } from "yaml";
import { canonicalLanguageTag } from "./model/lang.ts";
import { isTimeZone } from "./model/time.ts";

/** Settings from the environment; the same names serve as wrangler `[vars]`. */
export interface RuntimeConfig {
  port: number;
  host: string;
  databasePath: string;
  contentDir: string;
  /** Public base of every absolute link, without a trailing slash. */
  siteUrl: string;
}

export interface SectionSettings {
  slug: string;
  name: string;
}

export interface LanguageSettings {
  /** Canonical BCP 47 tag; also the URL segment. */
  tag: string;
  /** The language's own name for itself (`한국어`), shown in links between editions. */
  name: string;
  title: string;
  description: string;
  sections: SectionSettings[];
}

export interface SiteSettings {
  name: string;
  idAuthority: string;
  idDate: string;
  timezone: string;
  itemCount: number;
  publisher: { name: string; email?: string };
  /** In the order of the settings file; the first is the default language. */
  languages: LanguageSettings[];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const RESERVED_SECTIONS = new Set(["articles", "rss.xml", "atom.xml", "feed.json"]);
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

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
    siteUrl: parsed.href.replace(/\/+$/, ""),
  };
}

/** Parses and checks the site settings file; `where` names it in errors. */
export function parseSiteSettings(yamlText: string, where: string): SiteSettings {
  const fail = (path: string, problem: string): never => {
    throw new ConfigError(`config: ${where}: ${path} ${problem}`);
  };
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (error) {
    return fail("(file)", `is not valid YAML: ${(error as Error).message}`);
  }
  const root = record(doc, "(file)", fail);
  const text = (obj: Record<string, unknown>, key: string, path: string): string => {
    const v = obj[key];
    if (typeof v !== "string" || v.trim() === "") return fail(`${path}${key}`, "must be a non-empty string");
    return v.trim();
  };

  const timezone = text(root, "timezone", "");
  if (!isTimeZone(timezone)) fail("timezone", `"${timezone}" is not an IANA time zone such as Asia/Seoul`);
  const idAuthority = text(root, "id_authority", "");
  if (!/^[a-z0-9]+(?:[.-][a-z0-9]+)*\.[a-z]{2,}$/i.test(idAuthority)) {
    fail("id_authority", `"${idAuthority}" must be a domain name such as news.example`);
  }
  const idDate = text(root, "id_date", "");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(idDate)) fail("id_date", `"${idDate}" must be a date YYYY-MM-DD`);
  const itemCount = root.item_count;
  if (typeof itemCount !== "number" || !Number.isInteger(itemCount) || itemCount < 1 || itemCount > 100) {
    fail("item_count", "must be a whole number from 1 to 100");
  }
  const publisher = record(root.publisher, "publisher", fail);
  const languagesNode = record(root.languages, "languages", fail);

  const languages: LanguageSettings[] = [];
  for (const [rawTag, node] of Object.entries(languagesNode)) {
    const tag = canonicalLanguageTag(rawTag);
    if (tag === null) fail(`languages.${rawTag}`, "is not a BCP 47 language tag such as ko, en or zh-Hans");
    if (tag !== rawTag) fail(`languages.${rawTag}`, `must be written in canonical case: ${tag}`);
    const lang = record(node, `languages.${rawTag}`, fail);
    const path = `languages.${rawTag}.`;
    const sectionsNode = record(lang.sections, `${path}sections`, fail);
    const sections: SectionSettings[] = [];
    for (const [slug, name] of Object.entries(sectionsNode)) {
      if (!SLUG.test(slug) || RESERVED_SECTIONS.has(slug)) {
        fail(`${path}sections.${slug}`, "must be a lowercase slug (a-z, 0-9, -) other than 'articles'");
      }
      if (typeof name !== "string" || name.trim() === "") fail(`${path}sections.${slug}`, "must name the section");
      sections.push({ slug, name: (name as string).trim() });
    }
    languages.push({
      tag: tag!,
      name: text(lang, "name", path),
      title: text(lang, "title", path),
      description: text(lang, "description", path),
      sections,
    });
  }
  if (languages.length === 0) fail("languages", "must list at least one language");

  const email = publisher.email;
  if (email !== undefined && (typeof email !== "string" || !/^[^\s@]+@[^\s@]+$/.test(email))) {
    fail("publisher.email", "must be an e-mail address");
  }
  return {
    name: text(root, "name", ""),
    idAuthority,
    idDate,
    timezone,
    itemCount: itemCount as number,
    publisher: { name: text(publisher, "name", "publisher."), ...(email ? { email: email as string } : {}) },
    languages,
  };
}

function record(value: unknown, path: string, fail: (path: string, problem: string) => never): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return fail(path, "must be a mapping");
  return value as Record<string, unknown>;
}

/** The language settings for a tag, matched case-insensitively as BCP 47 requires. */
export function findLanguage(settings: SiteSettings, tag: string): LanguageSettings | undefined {
  const wanted = tag.toLowerCase();
  return settings.languages.find((l) => l.tag.toLowerCase() === wanted);
}
