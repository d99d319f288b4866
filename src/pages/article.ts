/**
 * The article page, shaped like the newsroom's own: headline, Posted and Updated times in the
 * newsroom's zone, links to the other editions in their own language names, body, and the dated
 * corrections below it; with hreflang alternates and a schema.org NewsArticle in JSON-LD.
 */
import type { LanguageSettings, Site } from "../config/site.ts";
import { correctionWords } from "../feeds/correction-note.ts";
import { feedDirectory, termDirectory } from "../feeds/links.ts";
import { escapeHtml as h } from "../model/escape.ts";
import type { Article, ArticleImage, Edition } from "../model/article.ts";
import { isTermKey, termKey, type TermKind } from "../model/terms.ts";
import { inZone } from "../model/time.ts";
import { discoveryLinks, page } from "./layout.ts";
import { pageStrings, zoneLabel, type PageStrings } from "./strings.ts";

/** JSON inside `<script>`: `<` escaped so no `</script>` or `<!--` can end or bend the element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * https://schema.org/ImageObject; sizes only where known. The caption is the newsroom's when it gave
 * one, else the alt text; `creditText` and `copyrightNotice` only where given.
 */
function imageObject(image: ArticleImage) {
  const caption = image.caption ?? image.alt;
  return {
    "@type": "ImageObject",
    url: image.url,
    ...(image.width > 0 ? { width: image.width } : {}),
    ...(image.height > 0 ? { height: image.height } : {}),
    ...(caption ? { caption } : {}),
    ...(image.credit ? { creditText: image.credit } : {}),
    ...(image.copyright ? { copyrightNotice: image.copyright } : {}),
  };
}

/** The image as a figure; its caption and credit, where given, under it. */
function figure(img: ArticleImage): string {
  const words = [
    img.caption ? `<span class="caption">${h(img.caption)}</span>` : "",
    img.credit ? `<small class="credit">${h(img.credit)}</small>` : "",
  ].filter(Boolean);
  const caption = words.length ? `<figcaption>${words.join(" ")}</figcaption>` : "";
  return `<figure><img src="${h(img.url)}" alt="${h(img.alt)}"${img.width > 0 ? ` width="${img.width}"` : ""}${img.height > 0 ? ` height="${img.height}"` : ""}>${caption}</figure>\n`;
}

/** https://blog.joinmastodon.org/2024/07/highlighting-journalism-on-mastodon/: one per author with a handle. */
function fediverseCreators(article: Article): string {
  return article.authors
    .filter((a) => a.fediverse)
    .map((a) => `<meta name="fediverse:creator" content="${h(a.fediverse!)}">\n`)
    .join("");
}

/** https://schema.org/NewsArticle */
function newsArticle(site: Site, article: Article, others: readonly Edition[]) {
  const { publisher } = site.settings;
  return {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "@id": article.url,
    mainEntityOfPage: article.url,
    url: article.url,
    identifier: article.id,
    headline: article.title,
    description: article.summary,
    inLanguage: article.lang,
    articleSection: article.section,
    datePublished: article.published.iso,
    dateModified: article.updated.iso,
    author: article.authors.map((a) => ({ "@type": "Person", name: a.name, ...(a.url ? { url: a.url } : {}) })),
    publisher: { "@type": "Organization", name: publisher.name, url: `${site.siteUrl}/` },
    ...(article.image ? { image: imageObject(article.image) } : {}),
    ...(article.tags.length ? { keywords: article.tags } : {}),
    workTranslation: others.map((e) => ({ "@type": "NewsArticle", "@id": e.url, url: e.url, inLanguage: e.lang, headline: e.title })),
    ...(article.corrections.length
      ? {
          // https://schema.org/correction, one https://schema.org/CorrectionComment each, oldest first.
          correction: article.corrections.map((c) => ({ "@type": "CorrectionComment", datePublished: c.date.iso, text: c.text })),
        }
      : {}),
  };
}

/** The corrections below the body: a heading, then each correction dated on the newsroom's clocks, oldest first. */
function correctionsNote(article: Article, strings: PageStrings, zone: string): string {
  if (article.corrections.length === 0) return "";
  const words = correctionWords(article.lang);
  const entries = article.corrections.map((c) => {
    const t = inZone(c.date, zone);
    return `<p class="correction"><strong>${h(words.correction)}</strong> <time datetime="${t.iso}">${h(strings.date(t, zoneLabel(zone, t)))}</time>: ${h(c.text)}</p>`;
  });
  return `\n<aside class="corrections" id="corrections" aria-labelledby="corrections-heading">\n<h2 id="corrections-heading">${h(words.corrections)}</h2>\n${entries.join("\n")}\n</aside>`;
}

/** An author's or tag's name linked to its page, or the name alone when no URL can name it (`.`). */
function termLink(lang: string, kind: TermKind, name: string): string {
  const key = termKey(name);
  return isTermKey(key) ? `<a href="${h(termDirectory(lang, { kind, key }))}">${h(name)}</a>` : h(name);
}

export function articlePage(site: Site, language: LanguageSettings, article: Article, editions: readonly Edition[]): string {
  const strings = pageStrings(language.tag);
  const zone = site.settings.timezone;
  const order = new Map(site.settings.languages.map((l, i) => [l.tag, i]));
  const others = editions.filter((e) => e.lang !== article.lang).sort((a, b) => (order.get(a.lang) ?? 1e9) - (order.get(b.lang) ?? 1e9));
  const languageName = (tag: string) => site.settings.languages.find((l) => l.tag === tag)?.name ?? tag;
  const section = language.sections.find((s) => s.slug === article.section);

  const posted = inZone(article.published, zone);
  const updated = inZone(article.updated, zone);
  const time = (label: string, t: typeof posted) =>
    `${h(label)} <time datetime="${t.iso}">${h(strings.date(t, zoneLabel(zone, t)))}</time>`;
  const dates =
    article.updated.ms > article.published.ms
      ? `${time(strings.posted, posted)}<br>\n${time(strings.updated, updated)}`
      : time(strings.posted, posted);
  const editionLinks = others
    .map((e) => `<a href="${h(e.url)}" hreflang="${h(e.lang)}" lang="${h(e.lang)}">${h(languageName(e.lang))}</a>`)
    .join("\n");
  const image = article.image ? figure(article.image) : "";
  const body = `<article>
<p class="section">${section ? `<a href="${h(feedDirectory(language.tag, section.slug))}">${h(section.name)}</a>` : ""}</p>
<h1>${h(article.title)}</h1>
<p class="dates">${dates}</p>
${editionLinks ? `<nav class="editions" aria-label="${h(strings.editions)}">\n${editionLinks}\n</nav>\n` : ""}${image}<p class="byline">${h(strings.by)}: ${article.authors.map((a) => termLink(language.tag, "author", a.name)).join(", ")}</p>
${article.tags.length ? `<p class="byline">${h(strings.tags)}: ${article.tags.map((t) => termLink(language.tag, "tag", t)).join(", ")}</p>\n` : ""}${article.contentHtml}${correctionsNote(article, strings, zone)}
</article>`;

  const hreflang = [{ lang: article.lang, url: article.url }, ...others]
    .map((e) => `<link rel="alternate" hreflang="${h(e.lang)}" href="${h(e.url)}">`)
    .join("\n");
  const extra = `${hreflang}\n${fediverseCreators(article)}<script type="application/ld+json">${jsonForScript(newsArticle(site, article, others))}</script>\n`;
  return page(
    { lang: article.lang, title: `${article.title} | ${language.title}`, description: article.summary, canonical: article.url, extra },
    discoveryLinks(site, language, article.section),
    body,
    language.title,
    feedDirectory(language.tag),
  );
}
