/** The HTML shell every page shares: language, title, autodiscovery links, a small stylesheet. */
import type { LanguageSettings, Site } from "../config/site.ts";
import { feedTitle } from "../feeds/build.ts";
import { FORMAT_NAMES, FORMATS } from "../feeds/formats.ts";
import { feedLinks } from "../feeds/links.ts";
import { escapeHtml as h } from "../model/escape.ts";

export interface PageHead {
  lang: string;
  title: string;
  description?: string;
  canonical?: string;
  /** Extra `<head>` markup (hreflang alternates, JSON-LD), already escaped. */
  extra?: string;
}

const STYLE = `body{font:16px/1.6 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
a{color:#0b57d0}header{border-bottom:1px solid #ddd;margin-bottom:1.5rem}h1{line-height:1.25}
.dates,.byline,.section{color:#555;font-size:.9rem}.editions a{margin-right:1rem}img{max-width:100%;height:auto}
figure{margin:1rem 0}figcaption{color:#555;font-size:.9rem;margin-top:.3rem}figcaption .credit{color:#666;font-size:.8rem}
ul.feeds{list-style:none;padding:0}ul.feeds li{margin:.2rem 0}
.facts{color:#555;font-size:.9rem}.subscribe{background:#f3f6fb;border:1px solid #d3dcea;border-radius:6px;padding:0 1rem;margin:1.5rem 0}
.subscribe h2{font-size:1.15rem;margin:.8rem 0 .4rem}.subscribe label{display:block;font-weight:600}
.subscribe input{box-sizing:border-box;width:100%;padding:.4rem .5rem;font:.9rem ui-monospace,monospace;border:1px solid #aab;border-radius:4px;background:#fff}
ol.items{list-style:none;padding:0}ol.items li{border-bottom:1px solid #eee;padding:.2rem 0 .6rem}ol.items h3{font-size:1.1rem;margin:.6rem 0 .1rem}ol.items h3 a{text-decoration:none}
ol.items p{margin:.3rem 0}.editions{font-size:.9rem}
.destinations{border-top:1px solid #ddd;margin-top:2rem;font-size:.95rem}.destinations h3{font-size:1rem;margin:1rem 0 .3rem}
.destinations ul{list-style:none;padding:0;margin:0}.destinations li{margin:.2rem 0}.destinations .verdict{display:inline-block;min-width:5.5rem}
.destinations .met .verdict{color:#146c2e}.destinations .not-met .verdict{color:#b3261e}.destinations .level,.destinations .unpublished{color:#555}`;

/**
 * The text of every inline `<style>` block a page may carry, exactly as written: the pages' Content-Security-Policy
 * allows these by their hashes (see http/security.ts), and no other style. Pages carry no script but JSON-LD data.
 */
export const PAGE_STYLES: readonly string[] = [STYLE];

/**
 * Autodiscovery `<link rel="alternate">` tags: the page's own language first (readers often take the
 * first), its section's feeds before the language-wide ones when a section is given, then the others.
 */
export function discoveryLinks(site: Site, language: LanguageSettings, sectionSlug?: string): string {
  const tags: string[] = [];
  const add = (l: LanguageSettings, section?: string) => {
    const links = feedLinks(site.siteUrl, l.tag, section);
    const title = feedTitle(l, section === undefined ? undefined : l.sections.find((s) => s.slug === section));
    for (const format of FORMAT_NAMES) {
      const type = FORMATS[format].contentType.split(";")[0];
      tags.push(
        `<link rel="alternate" type="${type}" hreflang="${h(l.tag)}" title="${h(`${title} (${FORMATS[format].label})`)}" href="${h(links[format])}">`,
      );
    }
  };
  if (sectionSlug !== undefined) add(language, sectionSlug);
  add(language);
  for (const other of site.settings.languages) if (other.tag !== language.tag) add(other);
  return tags.join("\n");
}

export function page(head: PageHead, discovery: string, body: string, siteName: string, homePath: string): string {
  return `<!doctype html>
<html lang="${h(head.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(head.title)}</title>
${head.description ? `<meta name="description" content="${h(head.description)}">\n` : ""}${head.canonical ? `<link rel="canonical" href="${h(head.canonical)}">\n` : ""}${discovery}
${head.extra ?? ""}<style>${STYLE}</style>
</head>
<body>
<header><p><a href="${h(homePath)}">${h(siteName)}</a></p></header>
<main>
${body}
</main>
</body>
</html>
`;
}
