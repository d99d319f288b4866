/**
 * An article page: its schema.org JSON-LD article (https://schema.org/NewsArticle, read the way
 * https://developers.google.com/search/docs/appearance/structured-data/article describes it) and the
 * `rel="alternate" hreflang` editions it links (https://html.spec.whatwg.org/#rel-alternate). Those
 * tags and scripts are found by a linear scan of the tags; the article text, when the JSON-LD has no
 * articleBody, by main-text.ts from the page itself.
 */
import type { IncomingAuthor, IncomingEdition, IncomingImage, ParsedDocument } from "../incoming.ts";
import { extractMainText } from "./main-text.ts";
import {
  decodeHtmlEntities,
  definedOnly,
  fail,
  makeItem,
  mergeEditions,
  nonBlank,
  pickImage,
  resolveUrl,
  trimmed,
  wholeNumber,
} from "./document.ts";

type Json = Record<string, unknown>;

const ARTICLE_TYPES = new Set([
  "Article",
  "NewsArticle",
  "BlogPosting",
  "ReportageNewsArticle",
  "AnalysisNewsArticle",
  "BackgroundNewsArticle",
  "OpinionNewsArticle",
  "ReviewNewsArticle",
]);

export function parsePage(html: string, documentUrl: string): ParsedDocument {
  const page = scanPage(html);
  const article = page.jsonLd.flatMap(articleNodes)[0];
  if (article === undefined) fail(documentUrl, "an HTML page with no JSON-LD article (is this a feed URL?)");

  const baseUrl = resolveUrl(page.base, documentUrl) ?? documentUrl;
  const url =
    resolveUrl(page.canonical, baseUrl) ??
    resolveUrl(text(article.url), baseUrl) ??
    resolveUrl(idOf(article.mainEntityOfPage), baseUrl) ??
    documentUrl;
  const ownUrls = new Set([url, documentUrl]);
  const lang = trimmed(languageOf(article.inLanguage)) ?? trimmed(page.lang);
  const editions = [
    ...page.alternates.filter((link) => link.lang.toLowerCase() !== "x-default"),
    ...[article.workTranslation, article.translationOfWork].flatMap(list).flatMap(editionOf),
  ].filter((edition) => edition.url === undefined || !ownUrls.has(resolveUrl(edition.url, baseUrl) ?? edition.url));
  const body = nonBlank(text(article.articleBody));
  const authors = list(article.author).flatMap(authorOf);
  const keywords = list(article.keywords)
    .flatMap((k) => (typeof k === "string" ? k.split(",") : []))
    .flatMap((k) => trimmed(k) ?? []);

  return {
    kind: "article-page",
    item: makeItem({
      key: url,
      url,
      baseUrl,
      lang,
      sections: list(article.articleSection).flatMap((s) => trimmed(text(s)) ?? []),
      title: trimmed(text(article.headline) ?? text(article.name)),
      summaryText: nonBlank(text(article.description)),
      ...(body === undefined ? { contentHtml: extractMainText(html) } : { contentText: body }),
      authors: authors.length > 0 ? authors : page.authors.map((name) => ({ name })),
      tags: keywords,
      image: pickImage(list(article.image).flatMap(imageOf)),
      // The Open Graph article dates stand in for JSON-LD that has none.
      published: trimmed(text(article.datePublished)) ?? page.published,
      updated: trimmed(text(article.dateModified)) ?? page.modified,
      editions: mergeEditions(editions, baseUrl),
    }),
  };
}

interface PageScan {
  jsonLd: unknown[];
  lang?: string;
  base?: string;
  canonical?: string;
  alternates: { url: string; lang: string }[];
  /** `<meta property="article:published_time">` and `article:modified_time` (https://ogp.me/#type_article). */
  published?: string;
  modified?: string;
  /** `<meta name="author">`, one per tag. */
  authors: string[];
}

/**
 * Walks the tags once, each `<` to its `>`: the `<html lang>`, then in the head `<base>`, canonical and
 * hreflang links; JSON-LD scripts anywhere. Comments, scripts and styles are stepped over whole, so a
 * link written inside them does not count. A `<` without a `>` after it ends the scan; every step
 * moves forward, so the cost stays linear whatever the page holds.
 */
function scanPage(html: string): PageScan {
  const scan: PageScan = { jsonLd: [], alternates: [], authors: [] };
  let inHead = true;
  let pos = 0;
  while (pos < html.length) {
    const open = html.indexOf("<", pos);
    if (open === -1) break;
    if (html.startsWith("<!--", open)) {
      const end = html.indexOf("-->", open + 4);
      if (end === -1) break;
      pos = end + 3;
      continue;
    }
    const close = html.indexOf(">", open);
    if (close === -1) break;
    pos = close + 1;
    const inside = html.slice(open, close);
    const tag = /^<([a-zA-Z][^\s/>]*)/.exec(inside);
    if (!tag) continue;
    const name = tag[1]!.toLowerCase();
    const attributes = inside.slice(tag[0].length);
    if (name === "script" || name === "style") {
      const end = new RegExp(`</${name}[\\s>]`, "gi");
      end.lastIndex = pos;
      const found = end.exec(html);
      const body = html.slice(pos, found ? found.index : html.length);
      if (name === "script" && attributeOf(attributes, "type")?.split(";")[0]?.trim().toLowerCase() === "application/ld+json") {
        const json = parseJsonLd(body);
        if (json !== undefined) scan.jsonLd.push(json);
      }
      if (!found) break;
      pos = found.index;
    } else if (name === "html") {
      scan.lang ??= attributeOf(attributes, "lang");
    } else if (name === "body") {
      inHead = false;
    } else if (inHead && name === "base") {
      scan.base ??= attributeOf(attributes, "href");
    } else if ((inHead && name === "link") || name === "a") {
      // In the head a link; in the body an anchor to the same page in another language
      // (`<a rel="alternate" hreflang="ko">한국어</a>`), as a page's own edition switch is written.
      const rel = (attributeOf(attributes, "rel") ?? "").toLowerCase().split(/\s+/);
      const href = trimmed(attributeOf(attributes, "href"));
      const hreflang = trimmed(attributeOf(attributes, "hreflang"));
      if (href === undefined) continue;
      if (name === "link" && rel.includes("canonical")) scan.canonical ??= href;
      if (rel.includes("alternate") && hreflang !== undefined) scan.alternates.push({ url: href, lang: hreflang });
    } else if (inHead && name === "meta") {
      const property = (attributeOf(attributes, "property") ?? attributeOf(attributes, "name"))?.trim().toLowerCase();
      const content = trimmed(attributeOf(attributes, "content"));
      if (content === undefined) continue;
      if (property === "article:published_time") scan.published ??= content;
      else if (property === "article:modified_time") scan.modified ??= content;
      else if (property === "author") scan.authors.push(content);
    }
  }
  return scan;
}

/** One attribute of a tag's attribute text (`rel="alternate" hreflang=ko`), references decoded. */
function attributeOf(attributes: string, name: string): string | undefined {
  const pattern = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of attributes.matchAll(pattern)) {
    if (m[1]!.toLowerCase() === name) return decodeHtmlEntities(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return undefined;
}

/** A script's JSON, or undefined when it is not JSON (one broken block must not hide another). */
function parseJsonLd(body: string): unknown {
  // Some CMSs still wrap scripts in `<!--` or `//<![CDATA[` for browsers of the last century.
  const json = body
    .trim()
    .replace(/^(?:<!--|(?:\/\/\s*)?<!\[CDATA\[)/, "")
    .replace(/(?:-->|(?:\/\/\s*)?\]\]>)$/, "");
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** Article nodes of one JSON-LD block: the block itself, array members, `@graph` members and their `mainEntity`. */
function articleNodes(block: unknown): Json[] {
  const nodes = list(block).flatMap((node) =>
    isObject(node) && Array.isArray(node["@graph"]) ? [node, ...(node["@graph"] as unknown[])] : [node],
  );
  return [...nodes, ...nodes.flatMap((node) => (isObject(node) ? list(node.mainEntity) : []))].filter(
    (node): node is Json =>
      isObject(node) && list(node["@type"]).some((type) => typeof type === "string" && ARTICLE_TYPES.has(type.replace(/^.*[/:]/, ""))),
  );
}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/** JSON-LD writes one value or a list of them alike. */
function list(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** A reference written as a URL string, `{"@id": ...}` or `{"url": ...}`. */
function idOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return isObject(value) ? (text(value.url) ?? text(value["@id"])) : undefined;
}

/** `inLanguage` as a tag, or a schema.org Language whose `alternateName` is the tag. */
function languageOf(value: unknown): string | undefined {
  const first = list(value)[0];
  return typeof first === "string" ? first : isObject(first) ? text(first.alternateName) : undefined;
}

function authorOf(value: unknown): IncomingAuthor[] {
  if (typeof value === "string") return trimmed(value) === undefined ? [] : [{ name: value.trim() }];
  if (!isObject(value)) return [];
  const author = definedOnly<IncomingAuthor>({
    name: trimmed(text(value.name)),
    email: trimmed(text(value.email)),
    url: trimmed(idOf(value.url)),
  });
  return Object.keys(author).length > 0 ? [author] : [];
}

function imageOf(value: unknown): IncomingImage[] {
  if (typeof value === "string") return trimmed(value) === undefined ? [] : [{ url: value.trim() }];
  if (!isObject(value)) return [];
  const url = trimmed(text(value.url) ?? text(value.contentUrl));
  if (url === undefined) return [];
  const size = (v: unknown) => wholeNumber(isObject(v) ? v.value : v);
  return [
    {
      url,
      type: trimmed(text(value.encodingFormat)),
      width: size(value.width),
      height: size(value.height),
      alt: trimmed(text(value.caption)),
    },
  ];
}

/** A workTranslation or translationOfWork: a URL, or a CreativeWork with a url or @id and an inLanguage. */
function editionOf(value: unknown): IncomingEdition[] {
  const url = trimmed(idOf(value));
  if (url === undefined) return [];
  return [definedOnly<IncomingEdition>({ url, lang: isObject(value) ? trimmed(languageOf(value.inLanguage)) : undefined })];
}
