/** What the edge project's global setup (Node) provides to the tests inside workerd. */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** Feed path -> the body Node serves for it from the same content and SITE_URL. */
    nodeFeeds: Record<string, string>;
    /** Path -> body of every JSON Feed document along next_url from each language's `feed.json?limit=3`, as Node serves it. */
    nodePages: Record<string, string>;
    /** The same for every author's and tag's feeds. */
    nodeTermFeeds: Record<string, string>;
    /** The upstream feed the bundled settings list as source "wire". */
    upstreamUrl: string;
    /** An IndexNow endpoint that keeps every ping; GET `${indexNowUrl}/pings` reads them, DELETE reads and clears them. */
    indexNowUrl: string;
  }
}
