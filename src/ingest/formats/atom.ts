/**
 * Atom 1.0 (RFC 4287, https://www.rfc-editor.org/rfc/rfc4287): entries with their text constructs,
 * xml:base and xml:lang, persons, categories, and `link rel="alternate" hreflang` to other editions.
 */
import { escapeHtml } from "../../model/escape.ts";
import type { IncomingAuthor, IncomingImage, IncomingItem, ParsedDocument } from "../incoming.ts";
import { definedOnly, htmlToText, isImageType, makeItem, nonBlank, pickImage, resolveUrl, trimmed, wholeNumber } from "./document.ts";
import { mediaDescription, mediaImages, mediaThumbnails } from "./modules.ts";
import { NS, qualifiedName } from "./namespaces.ts";
import { attribute, child, children, childText, textOf, xmlBase, type XmlElement, type XmlNode } from "./xml.ts";

interface AtomLink {
  rel: string;
  href: string;
  type?: string;
  hreflang?: string;
  length?: number;
}

export function parseAtom(root: XmlElement, documentUrl: string): ParsedDocument {
  const n = qualifiedName;
  const atom = (localName: string) => n(NS.atom, localName);
  const feedBase = xmlBase(root, documentUrl);
  const feedLang = trimmed(attribute(root, "xml:lang"));
  const feedAuthors = persons(root, atom);
  const items: IncomingItem[] = [];
  const problems: string[] = [];

  children(root, atom("entry")).forEach((entry, index) => {
    const baseUrl = xmlBase(entry, feedBase);
    const lang = trimmed(attribute(entry, "xml:lang")) ?? feedLang;
    const links = children(entry, atom("link")).flatMap((link) => {
      const href = trimmed(attribute(link, "href"));
      if (href === undefined) return [];
      return [
        definedOnly<AtomLink>({
          // A link without rel is an alternate (RFC 4287 section 4.2.7.2).
          rel: trimmed(attribute(link, "rel")) ?? "alternate",
          href,
          type: trimmed(attribute(link, "type")),
          hreflang: trimmed(attribute(link, "hreflang")),
          length: wholeNumber(attribute(link, "length")),
        }),
      ];
    });
    const pages = links.filter((l) => l.rel === "alternate" && (l.type === undefined || l.type.includes("html")));
    // The entry's own page is the alternate in its language (or without one); the others are editions.
    const own = pages.find((l) => l.hreflang === undefined || sameLang(l.hreflang, lang)) ?? pages[0];
    const id = trimmed(childText(entry, atom("id")));
    // Without an HTML alternate: another alternate, else an id that is the page's URL (normalize.ts
    // takes it), else the one page the entry is about (rel="related").
    const related = links.filter((l) => l.rel === "related");
    const url =
      own?.href ??
      links.find((l) => l.rel === "alternate")?.href ??
      (id !== undefined && /^https?:\/\//i.test(id) ? undefined : related.length === 1 ? related[0]!.href : undefined);
    const title = textConstruct(child(entry, atom("title")));
    const key = id ?? resolveUrl(url, baseUrl);
    if (key === undefined) {
      problems.push(`entry ${index + 1}${title?.text ? ` ("${title.text}")` : ""} has neither an id nor an alternate link; skipped`);
      return;
    }
    const summary = textConstruct(child(entry, atom("summary")));
    const content = textConstruct(child(entry, atom("content")));
    const categories = children(entry, atom("category")).flatMap(
      (c) => trimmed(attribute(c, "label")) ?? trimmed(attribute(c, "term")) ?? [],
    );
    const source = child(entry, atom("source"));
    const authors = [persons(entry, atom), persons(source, atom), feedAuthors].find((list) => list.length > 0) ?? [];
    const enclosures: IncomingImage[] = links
      .filter((l) => l.rel === "enclosure" && isImageType(l.type))
      .map((l) => ({ url: l.href, type: l.type, length: l.length }));
    items.push(
      makeItem({
        key,
        url,
        baseUrl,
        lang,
        sections: categories,
        title: title?.text,
        summaryText: summary?.kind === "text" ? nonBlank(summary.value) : undefined,
        summaryHtml: summary?.kind === "html" ? nonBlank(summary.value) : undefined,
        contentText: content?.kind === "text" ? nonBlank(content.value) : undefined,
        contentHtml: content?.kind === "html" ? nonBlank(content.value) : undefined,
        // A video platform's entry has neither: its text is Media RSS's description.
        ...(nonBlank(content?.value) === undefined && nonBlank(summary?.value) === undefined ? mediaDescription(entry, n) : {}),
        authors,
        tags: categories,
        image: pickImage([...mediaImages(entry, n), ...enclosures, ...mediaThumbnails(entry, n)]),
        // Atom 0.3 named them issued (or created) and modified.
        published:
          trimmed(childText(entry, atom("published"))) ??
          trimmed(childText(entry, atom("issued"))) ??
          trimmed(childText(entry, atom("created"))),
        updated: trimmed(childText(entry, atom("updated"))) ?? trimmed(childText(entry, atom("modified"))),
        editions: pages
          .filter((l) => l !== own && l.hreflang !== undefined && !sameLang(l.hreflang, lang) && l.href !== url)
          .map((l) => ({ url: l.href, lang: l.hreflang })),
      }),
    );
  });
  const feedTitle = textConstruct(child(root, atom("title")));
  return { kind: "feed", format: "atom", title: feedTitle?.text, lang: feedLang, items, problems };
}

const sameLang = (a: string, b: string | undefined) => b !== undefined && a.toLowerCase() === b.toLowerCase();

function persons(parent: XmlNode | undefined, atom: (localName: string) => string): IncomingAuthor[] {
  return children(parent, atom("author")).flatMap((person) => {
    const author = definedOnly<IncomingAuthor>({
      name: trimmed(childText(person, atom("name"))),
      email: trimmed(childText(person, atom("email"))),
      url: trimmed(childText(person, atom("uri"))),
    });
    return Object.keys(author).length > 0 ? [author] : [];
  });
}

/** A text construct's value as text or as HTML, plus its plain text (for titles). */
interface TextConstruct {
  kind: "text" | "html";
  value: string;
  text: string | undefined;
}

/**
 * RFC 4287 section 3.1: `type="text"` (the default) is plain text, `html` is escaped HTML, `xhtml` is
 * markup inside one XHTML div (the parser keeps it raw). Content given by `src` or as another media
 * type is not text to read.
 */
function textConstruct(node: XmlNode | undefined): TextConstruct | undefined {
  if (node === undefined || attribute(node, "src") !== undefined) return undefined;
  const type = trimmed(attribute(node, "type"))?.toLowerCase() ?? "text";
  const value = textOf(node) ?? "";
  // Atom 0.3's `mode`: escaped markup is HTML; base64 is not text to read.
  const mode = trimmed(attribute(node, "mode"))?.toLowerCase();
  if (mode === "base64") return undefined;
  if (mode === "escaped" && type.includes("html")) return { kind: "html", value, text: trimmed(htmlToText(value)) };
  if (type === "html") return { kind: "html", value, text: trimmed(htmlToText(value)) };
  if (type === "xhtml") {
    const html = xhtmlDivContent(value);
    return { kind: "html", value: html, text: trimmed(htmlToText(html)) };
  }
  // A media type (RFC 4287 section 4.1.3.1): text/html is the HTML's source, as `html` is.
  if (type === "text/html") return { kind: "html", value, text: trimmed(htmlToText(value)) };
  if (type === "text" || type.startsWith("text/")) return { kind: "text", value, text: trimmed(value) };
  return undefined;
}

/** The markup inside the wrapping XHTML div, with any CDATA section turned into escaped text. */
function xhtmlDivContent(raw: string): string {
  const inner = /^\s*<(?:[\w.-]+:)?div\b[^>]*>([\s\S]*)<\/(?:[\w.-]+:)?div\s*>\s*$/.exec(raw)?.[1] ?? raw;
  return inner.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, text: string) => escapeHtml(text));
}
