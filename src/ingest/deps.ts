/** What the ingest is given: the runtime's dependencies, the state a runtime keeps between runs, and one run's options. */
import type { Site } from "../config/site.ts";
import type { Logger } from "../model/logger.ts";
import type { ArticleStore } from "../store/store.ts";
import { LastDocuments } from "./last-document.ts";
import type { DocumentReader } from "./reader.ts";
import { Announcements } from "./websub.ts";

/** Sent with every upstream request and WebSub announcement unless the runtime names another. */
export const DEFAULT_USER_AGENT = "hanbit-feeds-ingest/1 (+https://www.rssboard.org/rss-specification)";

export interface IngestDeps {
  store: ArticleStore;
  site: Site;
  fetch: typeof fetch;
  /**
   * A fetch that connects only to public addresses, checking the address a name resolves to as it
   * connects (Node: src/runtime/node-fetch.ts), used for every URL an upstream chose: redirects,
   * sitemap pages. Without it (Workers, which cannot see the address) those URLs get the literal
   * check alone: an address literal or localhost that is not public is refused, a name is fetched.
   */
  fetchChecked?: typeof fetch;
  now: () => number;
  logger: Logger;
  /** The content folder, where the runtime can read it. */
  content?: () => ContentFolder;
  userAgent?: string;
  /**
   * Articles written at most per run, where a runtime bounds a run's work (Workers' cron CPU and query
   * limits); the rest are written by the next run.
   */
  writeBudget?: number;
  /**
   * Where the runtime can tell (Node: processes on this machine): who runs here, and whether the run
   * that holds the lease has died, in which case its lease is taken over rather than waited out.
   * Without it a dead run's lease expires after LEASE_TTL_MS.
   */
  lease?: LeaseOwner;
  /**
   * Where upstream documents are parsed and items normalized (see reader.ts): in this thread unless
   * the runtime gives one that isolates it (Node: worker threads with a deadline and a memory cap).
   */
  reader?: DocumentReader;
  /** Deadline of one upstream request (FETCH_TIMEOUT_MS by default). */
  fetchTimeoutMs?: number;
  /**
   * Deadline of one source's whole work in a run, every request of it included (SOURCE_DEADLINE_MS,
   * 60 s, by default); a source's own `deadline` in site.yaml wins.
   */
  sourceDeadlineMs?: number;
  /** How long the lease lasts unless renewed (LEASE_TTL_MS, 10 minutes, by default); it is renewed every third of it. */
  leaseTtlMs?: number;
  /**
   * What runs remember of earlier runs, built once by the runtime and handed to each of its runs.
   * Without it a run starts with nothing remembered.
   */
  state?: IngestState;
}

/** What a source works with: the run's dependencies, and the signal that stops its work (its deadline passed, or the run lost its lease). */
export interface SourceDeps extends IngestDeps {
  signal?: AbortSignal;
}

export interface LeaseOwner {
  /** Names this process (its machine and process id, say); a holder is `<owner>:<random id>`. */
  owner: string;
  /** True only when the holder's process is certainly gone. */
  isDead(holder: string): boolean;
}

export interface ContentFile {
  /** Path relative to the content folder, with `/` separators: `en/politics/budget-vote.md`. */
  path: string;
  text: string;
}

export interface ContentFolder {
  files: ContentFile[];
  mediaSize(name: string): number | null;
  /** Name shown in messages and kept as the articles' source prefix: `content`. */
  folder: string;
}

/** What one runtime's runs share, and no other runtime in the same process sees. */
export interface IngestState {
  /** Leases of this runtime's runs that ended without releasing them (the store failed at the end): the next run takes them over. */
  unreleasedLeases: Set<string>;
  lastDocuments: LastDocuments;
  /** WebSub publishes of this runtime's runs and pushes: one under way at a time (see websub.ts). */
  announcements: Announcements;
}

export function createIngestState(): IngestState {
  return { unreleasedLeases: new Set(), lastDocuments: new LastDocuments(), announcements: new Announcements() };
}

export interface IngestOptions {
  /** Ingest this one document instead of the configured sources (`npm run ingest -- --source`). */
  document?: { url: string; text?: string; contentType?: string; lang?: string; section?: string };
  /** Ask sources even when their minimum interval has not passed. */
  force?: boolean;
  progress?: (done: number, total: number, label: string) => void;
}
