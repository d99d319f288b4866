/**
 * The feed document each upstream source last sent that this runtime read and wrote whole (no article
 * cut by the write budget or refused by the store), per store, with what its run reported. A re-poll
 * that gets the very same text back under the same settings would normalize every item to the article
 * already stored and write nothing, so it is not parsed, normalized or compared again: the re-poll of an
 * unchanged feed costs its fetch and one hash. Kept in memory (a few numbers and the report's lines per
 * source): a new process or isolate reads the document whole once, and a sitemap is always read, since
 * its pages are fetched a few per run.
 */
import type { SourceSettings, Site } from "../config/site.ts";
import { fnv64 } from "../model/hash.ts";
import type { ArticleStore } from "../store/store.ts";
import type { SourceReport } from "./report.ts";

export interface LastDocument {
  fingerprint: string;
  seen: number;
  accepted: number;
  rejected: SourceReport["rejected"];
  notes: string[];
}

export class LastDocuments {
  // Per store: what was written through one store says nothing of what another holds.
  readonly #byStore = new WeakMap<ArticleStore, Map<string, LastDocument>>();

  /** The source's last document, forgotten until `keep` remembers one again (a run that fails keeps nothing). */
  take(store: ArticleStore, sourceId: string): LastDocument | undefined {
    const remembered = this.#byStore.get(store);
    const last = remembered?.get(sourceId);
    remembered?.delete(sourceId);
    return last;
  }

  keep(store: ArticleStore, sourceId: string, last: LastDocument) {
    const remembered = this.#byStore.get(store) ?? new Map<string, LastDocument>();
    this.#byStore.set(store, remembered);
    remembered.set(sourceId, last);
  }
}

/** The document's text, and everything else its articles depend on: where it came from, its type, the settings. */
export function documentFingerprint(
  site: Site,
  source: SourceSettings,
  outcome: { url: string; contentType: string; text: string },
): string {
  const context = JSON.stringify([source, site.settings, site.siteUrl, outcome.url, outcome.contentType]);
  return `${fnv64(context)}${fnv64(outcome.text)}${outcome.text.length}`;
}
