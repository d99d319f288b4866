/** The one table that maps a feed format to its file name, media type and renderer. */
import { renderAtom } from "./atom.ts";
import { renderJsonFeed } from "./json-feed.ts";
import type { FeedFormat, FeedModel } from "./model.ts";
import { renderRss } from "./rss.ts";

export interface FormatEntry {
  file: string;
  contentType: string;
  /** Name people know the format by, for pages and OPML. */
  label: string;
  render(feed: FeedModel): string;
}

export const FORMATS: Readonly<Record<FeedFormat, FormatEntry>> = {
  rss: { file: "rss.xml", contentType: "application/rss+xml; charset=utf-8", label: "RSS 2.0", render: renderRss },
  atom: { file: "atom.xml", contentType: "application/atom+xml; charset=utf-8", label: "Atom 1.0", render: renderAtom },
  json: { file: "feed.json", contentType: "application/feed+json; charset=utf-8", label: "JSON Feed 1.1", render: renderJsonFeed },
};

export const FORMAT_NAMES = Object.keys(FORMATS) as FeedFormat[];

/** The format served under a file name (`rss.xml`), if any. */
export function formatOfFile(file: string): FeedFormat | undefined {
  return FORMAT_NAMES.find((f) => FORMATS[f].file === file);
}
