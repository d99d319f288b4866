/**
 * The sitemap schemas' rules, written from the protocol pages (no XSD is shipped by any package the
 * project has): sitemap.xsd and siteindex.xsd of https://www.sitemaps.org/protocol.html (0.9), the
 * xhtml:link alternates Google reads (https://developers.google.com/search/docs/specialty/international/localized-versions#sitemap)
 * and sitemap-news.xsd as Google's news sitemap reference describes it
 * (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap). Each check names
 * its rule; the document is parsed strictly (saxes) first.
 */
import { parseXml, type XmlElement } from "./xml-dom.ts";

export const SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9";
export const XHTML = "http://www.w3.org/1999/xhtml";
export const NEWS = "http://www.google.com/schemas/sitemap-news/0.9";

const el = (ns: string, local: string) => `{${ns}}${local}`;
const nsOf = (name: string) => name.slice(1, name.indexOf("}"));
const localOf = (name: string) => name.slice(name.indexOf("}") + 1);

/** W3C Datetime (https://www.w3.org/TR/NOTE-datetime) as xsd:date or xsd:dateTime take it: a day, or a time with seconds or minutes and a zone. */
const W3C_DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
/** What the news sitemap takes as a publication date: a complete date, or with hh:mm:ss and a zone (fractions allowed). */
const NEWS_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
/** sitemap-news.xsd's tLanguage: an ISO 639 code, or zh-cn / zh-tw. */
const NEWS_LANGUAGE = /^(?:zh-cn|zh-tw|[a-z]{2,3})$/;
/** BCP 47 tags as hreflang takes them (language, optional script and region), or x-default. */
const HREFLANG = /^(?:x-default|[a-zA-Z]{2,3}(?:-[a-zA-Z]{4})?(?:-(?:[a-zA-Z]{2}|\d{3}))?)$/;
const CHANGEFREQ = new Set(["always", "hourly", "daily", "weekly", "monthly", "yearly", "never"]);

export const MAX_URLS = 50_000;
export const MAX_BYTES = 52_428_800;
export const MAX_NEWS = 1_000;

function realDate(value: string): boolean {
  const day = value.slice(0, 10);
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false;
  return value.length === 10 || !Number.isNaN(Date.parse(value));
}

/** Checks one sitemap document's rules; `location` is where it is served, which bounds the URLs it may list. */
class Checker {
  readonly problems: string[] = [];
  constructor(readonly location: URL) {}

  fail(element: XmlElement | null, rule: string) {
    this.problems.push(element ? `line ${element.line}: ${rule}` : rule);
  }

  /** tLoc: an absolute http(s) URL of 12 to 2 048 characters, on the sitemap's host and under its directory. */
  loc(element: XmlElement, value: string, underDirectory = true) {
    if (element.children.length) this.fail(element, `${localOf(element.name)} holds elements`);
    if (value.length < 12 || value.length > 2048) this.fail(element, `URL length ${value.length} is outside 12..2048`);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return this.fail(element, `"${value}" is not an absolute URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") this.fail(element, `"${value}" is not http(s)`);
    if (!underDirectory) return;
    const directory = this.location.href.slice(0, this.location.href.lastIndexOf("/") + 1);
    if (url.origin !== this.location.origin || !value.startsWith(directory))
      this.fail(element, `"${value}" is not under ${directory}, where the sitemap is`);
  }

  lastmod(element: XmlElement) {
    const value = element.text;
    if (!W3C_DATETIME.test(value) || !realDate(value)) this.fail(element, `lastmod "${value}" is not a W3C datetime`);
  }

  /** The children of `url`/`sitemap`: loc, then the protocol's optional elements in order, then elements of other namespaces. */
  entry(entry: XmlElement, optional: readonly string[]) {
    const own = entry.children.filter((c) => nsOf(c.name) === SITEMAP);
    const order = ["loc", ...optional];
    let last = -1;
    let foreignSeen = false;
    for (const child of entry.children) {
      if (nsOf(child.name) !== SITEMAP) {
        if (nsOf(child.name) === "") this.fail(child, `${child.name} is in no namespace`);
        foreignSeen = true;
        continue;
      }
      const at = order.indexOf(localOf(child.name));
      if (at < 0) this.fail(child, `${localOf(child.name)} is not allowed in ${localOf(entry.name)}`);
      else if (at <= last) this.fail(child, `${localOf(child.name)} is out of order or repeated`);
      else if (foreignSeen) this.fail(child, `${localOf(child.name)} comes after an element of another namespace`);
      last = Math.max(last, at);
    }
    const loc = own.find((c) => c.name === el(SITEMAP, "loc"));
    if (!loc) this.fail(entry, `${localOf(entry.name)} has no loc`);
    else this.loc(loc, loc.text);
    for (const child of own) {
      if (child.name === el(SITEMAP, "lastmod")) this.lastmod(child);
      if (child.name === el(SITEMAP, "changefreq") && !CHANGEFREQ.has(child.text)) this.fail(child, `changefreq "${child.text}"`);
      if (child.name === el(SITEMAP, "priority") && !/^(?:0(?:\.\d+)?|1(?:\.0+)?)$/.test(child.text))
        this.fail(child, `priority "${child.text}"`);
    }
  }

  /** xhtml:link as Google reads it in a sitemap: rel="alternate", a hreflang, an absolute href, nothing inside. */
  alternate(link: XmlElement) {
    const { rel, hreflang, href } = link.attributes;
    if (rel !== "alternate") this.fail(link, `xhtml:link rel is "${rel}", not "alternate"`);
    if (hreflang === undefined || !HREFLANG.test(hreflang)) this.fail(link, `hreflang "${hreflang}" is not a language tag or x-default`);
    if (href === undefined) this.fail(link, "xhtml:link has no href");
    else this.loc(link, href, false);
    if (link.children.length || link.text.trim()) this.fail(link, "xhtml:link is not empty");
  }

  /** news:news: publication (name, language), access?, genres?, publication_date, title, keywords?, stock_tickers?. */
  news(news: XmlElement) {
    const order = ["publication", "access", "genres", "publication_date", "title", "keywords", "stock_tickers"];
    let last = -1;
    for (const child of news.children) {
      const at = nsOf(child.name) === NEWS ? order.indexOf(localOf(child.name)) : -1;
      if (at < 0) this.fail(child, `${child.name} is not allowed in news:news`);
      else if (at <= last) this.fail(child, `news:${localOf(child.name)} is out of order or repeated`);
      last = Math.max(last, at);
    }
    const get = (local: string) => news.children.find((c) => c.name === el(NEWS, local));
    const publication = get("publication");
    if (!publication) this.fail(news, "news:news has no news:publication");
    else {
      const names = publication.children.map((c) => c.name);
      if (names.join() !== [el(NEWS, "name"), el(NEWS, "language")].join())
        this.fail(publication, "news:publication is not news:name then news:language");
      const name = publication.children[0];
      if (name && !name.text.trim()) this.fail(name, "news:name is empty");
      const language = publication.children[1];
      if (language && !NEWS_LANGUAGE.test(language.text))
        this.fail(language, `news:language "${language.text}" is not ISO 639, zh-cn or zh-tw`);
    }
    const date = get("publication_date");
    if (!date) this.fail(news, "news:news has no news:publication_date");
    else if (!NEWS_DATE.test(date.text) || !realDate(date.text)) this.fail(date, `publication_date "${date.text}"`);
    const title = get("title");
    if (!title) this.fail(news, "news:news has no news:title");
    else if (!title.text.trim()) this.fail(title, "news:title is empty");
  }
}

export interface CheckedSitemap {
  root: XmlElement;
  problems: string[];
}

/** A `<urlset>` (with xhtml:link alternates and news:news where present) served at `location`. */
export function checkSitemap(xml: string, location: string): CheckedSitemap {
  const root = parseXml(xml);
  const checker = new Checker(new URL(location));
  if (new TextEncoder().encode(xml).byteLength > MAX_BYTES) checker.fail(null, "over 50 MiB");
  if (root.name !== el(SITEMAP, "urlset")) checker.fail(root, `root is ${root.name}, not urlset`);
  const urls = root.children;
  if (urls.length > MAX_URLS) checker.fail(root, `${urls.length} URLs, over ${MAX_URLS}`);
  let news = 0;
  for (const url of urls) {
    if (url.name !== el(SITEMAP, "url")) {
      checker.fail(url, `${url.name} is not allowed in urlset`);
      continue;
    }
    checker.entry(url, ["lastmod", "changefreq", "priority"]);
    for (const child of url.children) {
      if (child.name === el(XHTML, "link")) checker.alternate(child);
      else if (child.name === el(NEWS, "news")) {
        news++;
        checker.news(child);
      } else if (nsOf(child.name) !== SITEMAP) checker.fail(child, `${child.name} is no element this service means to write`);
    }
    if (url.children.filter((c) => c.name === el(NEWS, "news")).length > 1) checker.fail(url, "more than one news:news");
  }
  if (news > MAX_NEWS) checker.fail(root, `${news} news:news elements, over ${MAX_NEWS}`);
  return { root, problems: checker.problems };
}

/** A `<sitemapindex>` served at `location`. */
export function checkSitemapIndex(xml: string, location: string): CheckedSitemap {
  const root = parseXml(xml);
  const checker = new Checker(new URL(location));
  if (new TextEncoder().encode(xml).byteLength > MAX_BYTES) checker.fail(null, "over 50 MiB");
  if (root.name !== el(SITEMAP, "sitemapindex")) checker.fail(root, `root is ${root.name}, not sitemapindex`);
  if (root.children.length > MAX_URLS) checker.fail(root, `${root.children.length} sitemaps, over ${MAX_URLS}`);
  for (const sitemap of root.children) {
    if (sitemap.name !== el(SITEMAP, "sitemap")) checker.fail(sitemap, `${sitemap.name} is not allowed in sitemapindex`);
    else checker.entry(sitemap, ["lastmod"]);
  }
  return { root, problems: checker.problems };
}
