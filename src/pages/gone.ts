/**
 * The page of a withdrawn article, served with 410 Gone: a short note in the article's language, the
 * time it was withdrawn and the public reason; its headline only when the takedown was not legal; never its body.
 */
import type { LanguageSettings, Site } from "../config/site.ts";
import { feedDirectory } from "../feeds/links.ts";
import { escapeHtml as h } from "../model/escape.ts";
import { inZone, instantAt } from "../model/time.ts";
import type { Tombstone } from "../store/store.ts";
import { discoveryLinks, page } from "./layout.ts";
import { pageStrings, zoneLabel } from "./strings.ts";

export function gonePage(site: Site, language: LanguageSettings, tombstone: Tombstone): string {
  const strings = pageStrings(language.tag);
  const zone = site.settings.timezone;
  const when = inZone(instantAt(tombstone.withdrawnMs, 0), zone);
  const note = tombstone.legal ? strings.withdrawnLegal : strings.withdrawn;
  const title = tombstone.legal ? "" : tombstone.title;
  const reason =
    !tombstone.legal && tombstone.reason ? `<p class="reason">${h(strings.withdrawnReason)}: ${h(tombstone.reason)}</p>\n` : "";
  const body = `<article>
${title ? `<h1>${h(title)}</h1>\n<p>${h(note)}</p>` : `<h1>${h(note)}</h1>`}
<p class="dates"><time datetime="${when.iso}">${h(strings.date(when, zoneLabel(zone, when)))}</time></p>
${reason}</article>`;
  return page(
    { lang: language.tag, title: `${title || note} | ${language.title}`, extra: `<meta name="robots" content="noindex">\n` },
    discoveryLinks(site, language, tombstone.section || undefined),
    body,
    language.title,
    feedDirectory(language.tag),
  );
}
