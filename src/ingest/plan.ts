/** Which sources one run reads, in order: the content folder, then every upstream source; or the one document asked for. */
import type { SourceSettings } from "../config/site.ts";
import { fnv64 } from "../model/hash.ts";
import type { IngestDeps, IngestOptions } from "./deps.ts";
import { contentFolderSource } from "./sources/content-folder.ts";
import type { Source } from "./sources/source.ts";
import { upstreamSource, type UpstreamRun } from "./sources/upstream.ts";

export function planSources(deps: IngestDeps, options: IngestOptions, run: UpstreamRun): Source[] {
  if (options.document) {
    const doc = options.document;
    const configured = deps.site.settings.sources.find((s) => s.url === doc.url);
    const source: SourceSettings = configured
      ? { ...configured, lang: doc.lang ?? configured.lang, section: doc.section ?? configured.section }
      : adHocSource(deps, doc.url, doc.lang, doc.section);
    return [upstreamSource(deps, source, { force: true, text: doc.text, contentType: doc.contentType }, run)];
  }
  const sources: Source[] = [];
  if (deps.content) sources.push(contentFolderSource(deps, deps.content, run.budget));
  for (const source of deps.site.settings.sources) {
    sources.push(upstreamSource(deps, source, { force: options.force ?? false }, run));
  }
  return sources;
}

/** Settings for a document named on the command line: the site's defaults, the newsroom's zone. */
function adHocSource(deps: IngestDeps, url: string, lang?: string, section?: string): SourceSettings {
  const { settings } = deps.site;
  const language = settings.languages.find((l) => l.tag === lang) ?? settings.languages[0]!;
  const sectionSlug = section ?? language.sections[0]?.slug ?? "";
  return {
    id: `adhoc-${fnv64(url).slice(0, 10)}`,
    kind: "feed",
    url,
    lang: language.tag,
    section: sectionSlug,
    sections: {},
    timezone: settings.timezone,
    minInterval: 0,
    maxBytes: 5 * 1024 * 1024,
  };
}
