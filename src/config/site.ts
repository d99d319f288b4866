/** The newsroom's settings in content/site.yaml (languages, sections, upstream sources), parsed and checked once. */
import { parse as parseYaml } from "yaml";
import { canonicalLanguageTag } from "../model/lang.ts";
import { isTimeZone } from "../model/time.ts";
import type { IndexNowSettings } from "./env.ts";
import { ConfigError } from "./error.ts";

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

/** An upstream the ingest reads: a feed (RSS, Atom, JSON Feed) or a sitemap of article pages. */
export interface SourceSettings {
  id: string;
  kind: "feed" | "sitemap";
  url: string;
  /** Language of items that do not state one. */
  lang: string;
  /** Section of items whose categories map to none. */
  section: string;
  /** Upstream category or section name -> our section slug. */
  sections: Record<string, string>;
  /** Zone for dates written without one. */
  timezone: string;
  /** Seconds between two requests to the source, at least. */
  minInterval: number;
  /** Largest response read, in bytes. */
  maxBytes: number;
  /**
   * Whether the URLs the source chooses (redirects, sitemap pages) may reach private, loopback and
   * other non-public addresses: for a source on an intranet. The URL written here is fetched as written either way.
   */
  allowPrivate?: boolean;
  /** Seconds the source's whole work in one run may take, every request of it included (the run's default, 60 s, otherwise). */
  deadline?: number;
}

export interface SiteSettings {
  name: string;
  idAuthority: string;
  idDate: string;
  timezone: string;
  itemCount: number;
  /** Days a subscription feed lists a withdrawn article of its scope (`withdrawn_days`, 30 unless set). */
  withdrawnDays: number;
  publisher: { name: string; email?: string };
  /** In the order of the settings file; the first is the default language. */
  languages: LanguageSettings[];
  sources: SourceSettings[];
}

/** The site as every builder and page sees it: the newsroom's settings, the public base URL, its WebSub hubs, IndexNow. */
export interface Site {
  settings: SiteSettings;
  siteUrl: string;
  hubs?: string[];
  /** IndexNow's key and endpoints, when INDEXNOW_KEY is set. */
  indexNow?: IndexNowSettings;
}

const RESERVED_SECTIONS = new Set(["articles", "archive", "feeds.opml", "rss.xml", "atom.xml", "feed.json", "corrections"]);
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

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
  const withdrawnDays = root.withdrawn_days ?? DEFAULT_WITHDRAWN_DAYS;
  if (typeof withdrawnDays !== "number" || !Number.isInteger(withdrawnDays) || withdrawnDays < 0 || withdrawnDays > 3650) {
    fail("withdrawn_days", "must be a whole number of days from 0 to 3650");
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
        fail(`${path}sections.${slug}`, "must be a lowercase slug (a-z, 0-9, -) other than 'articles', 'archive' or 'corrections'");
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
  const sources = parseSources(root.sources, languages, timezone, fail);
  return {
    name: text(root, "name", ""),
    idAuthority,
    idDate,
    timezone,
    itemCount: itemCount as number,
    withdrawnDays: withdrawnDays as number,
    publisher: { name: text(publisher, "name", "publisher."), ...(email ? { email: email as string } : {}) },
    languages,
    sources,
  };
}

/** How long feeds list a withdrawal by default: aggregators that poll even monthly learn of it. */
export const DEFAULT_WITHDRAWN_DAYS = 30;
const DEFAULT_MIN_INTERVAL = 300;
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

function parseSources(
  node: unknown,
  languages: LanguageSettings[],
  timezone: string,
  fail: (path: string, problem: string) => never,
): SourceSettings[] {
  if (node === undefined || node === null) return [];
  if (!Array.isArray(node)) return fail("sources", "must be a list");
  const seen = new Set<string>();
  return node.map((entry, i) => {
    const path = `sources[${i}]`;
    const source = record(entry, path, fail);
    const known = new Set([
      "id",
      "kind",
      "url",
      "lang",
      "section",
      "sections",
      "timezone",
      "min_interval",
      "max_bytes",
      "allow_private",
      "deadline",
    ]);
    for (const key of Object.keys(source)) if (!known.has(key)) fail(`${path}.${key}`, `is not a source field (${[...known].join(", ")})`);
    const id = typeof source.id === "string" ? source.id : "";
    if (!SLUG.test(id) || id === "content" || id === "push") fail(`${path}.id`, "must be a slug (a-z, 0-9, -) other than content or push");
    if (seen.has(id)) fail(`${path}.id`, `"${id}" is used twice`);
    seen.add(id);
    const where = `sources.${id}`;
    if (source.kind !== "feed" && source.kind !== "sitemap") fail(`${where}.kind`, "must be feed or sitemap");
    let url: URL | undefined;
    try {
      url = new URL(String(source.url));
    } catch {
      fail(`${where}.url`, `"${String(source.url)}" is not an absolute URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") fail(`${where}.url`, "must be http(s)");
    const lang = languages.find((l) => l.tag === source.lang);
    if (!lang) fail(`${where}.lang`, `must be one of the site's languages (${languages.map((l) => l.tag).join(", ")})`);
    // An item that states neither a language nor a mapped category lands in this section of the source's language.
    const ownSections = lang.sections.map((s) => s.slug);
    if (!ownSections.includes(source.section as string)) {
      fail(
        `${where}.section`,
        `must be a section slug of its language ${lang.tag} (${ownSections.join(", ")}), not "${String(source.section)}"`,
      );
    }
    // A category maps items that may state another language; normalizing checks the slug against the item's.
    const isSection = (slug: unknown) => languages.some((l) => l.sections.some((s) => s.slug === slug));
    const sections: Record<string, string> = {};
    if (source.sections !== undefined) {
      for (const [name, slug] of Object.entries(record(source.sections, `${where}.sections`, fail))) {
        if (!isSection(slug)) fail(`${where}.sections.${name}`, `"${String(slug)}" is not a section slug of site.yaml`);
        sections[name.trim().toLowerCase()] = slug as string;
      }
    }
    const zone =
      typeof source.timezone === "string" ? source.timezone : source.timezone === undefined ? timezone : JSON.stringify(source.timezone);
    if (!isTimeZone(zone)) fail(`${where}.timezone`, `"${zone}" is not an IANA time zone`);
    const whole = (key: string, fallback: number, min: number) => {
      const v = source[key] ?? fallback;
      if (typeof v !== "number" || !Number.isInteger(v) || v < min) fail(`${where}.${key}`, `must be a whole number, at least ${min}`);
      return v;
    };
    const allowPrivate = source.allow_private ?? false;
    if (typeof allowPrivate !== "boolean") {
      fail(`${where}.allow_private`, `must be true or false, not ${JSON.stringify(allowPrivate)} (write it without quotes)`);
    }
    return {
      id,
      kind: source.kind,
      url: url.href,
      lang: lang.tag,
      section: source.section as string,
      sections,
      timezone: zone,
      minInterval: whole("min_interval", DEFAULT_MIN_INTERVAL, 0),
      maxBytes: whole("max_bytes", DEFAULT_MAX_BYTES, 1024),
      allowPrivate,
      ...(source.deadline !== undefined && { deadline: whole("deadline", 0, 1) }),
    };
  });
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
