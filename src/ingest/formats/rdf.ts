/**
 * RSS 1.0 (https://web.resource.org/rss/1.0/spec) and RSS 0.90, both RDF: the items stand beside the
 * channel under `rdf:RDF`, each named by `rdf:about`, with content:encoded and Dublin Core (dc:date,
 * dc:creator, dc:subject) for what the core leaves out.
 */
import type { ParsedDocument } from "../incoming.ts";
import { fail, trimmed } from "./document.ts";
import { NS, qualifiedName } from "./namespaces.ts";
import { channelBase, documentLang, readRssItems } from "./rss.ts";
import { child, children, childText, type XmlElement } from "./xml.ts";

export function parseRdf(root: XmlElement, format: "rss1" | "rss09", documentUrl: string): ParsedDocument {
  const n = qualifiedName;
  const rssNamespace = format === "rss1" ? NS.rss1 : NS.rss090;
  const core = (localName: string) => n(rssNamespace, localName);
  const channel = child(root, core("channel"));
  if (channel === undefined) fail(documentUrl, `an RDF document without a <${core("channel")}> element`);
  const lang = trimmed(childText(channel, n(NS.dc, "language"))) ?? documentLang(root, channel);
  const base = channelBase(root, channel, childText(channel, core("link")), documentUrl);
  const { items, problems } = readRssItems(children(root, core("item")), { n, core, base, lang });
  return { kind: "feed", format, title: trimmed(childText(channel, core("title"))), lang, items, problems };
}
