/**
 * Feed versions read from a database that is a round trip away (D1), reused for a short, fixed time so
 * that a request for a feed already rendered costs no query. The bounds it keeps:
 *
 * - a version it answers was current at some moment less than `ttlMs` ago (the time is counted from the
 *   start of the read that fetched it), so a commit made elsewhere is seen within `ttlMs`;
 * - a write made through any store over the same database in this isolate is seen by the next request
 *   that starts after the write returned: every version read before it finished is forgotten;
 * - it never goes back: a read that finishes after a newer one (or after a write of ours) is answered to
 *   the request that asked for it, which arrived before that newer state, and is not kept.
 *
 * Requests for one feed that arrive while its version is being read wait for that read rather than each
 * making its own, as long as that read started less than `ttlMs` ago.
 */

/** Writes finished through any store over one database in this isolate, by the database's binding. */
const writesByDatabase = new WeakMap<object, { finished: number }>();

interface Kept {
  version: number;
  /** When the read that fetched it started. */
  readMs: number;
  /** Writes finished when that read started. */
  writes: number;
  /** Order in which reads started. */
  read: number;
}

interface Reading {
  promise: Promise<number>;
  readMs: number;
  writes: number;
}

export class FeedVersionMemo {
  readonly #kept = new Map<string, Kept>();
  readonly #reading = new Map<string, Reading>();
  readonly #writes: { finished: number };
  #reads = 0;

  constructor(
    /** The database binding; stores over the same one in this isolate see each other's writes at once. */
    database: object,
    /** How long a version read is reused; 0 reads every time. */
    readonly ttlMs: number,
    private readonly now: () => number,
    /** Versions kept at most; the oldest kept goes first. */
    readonly maxKept = Infinity,
  ) {
    let writes = writesByDatabase.get(database);
    if (writes === undefined) {
      writes = { finished: 0 };
      writesByDatabase.set(database, writes);
    }
    this.#writes = writes;
  }

  /** The version of `feed` when one kept is still good, at once; undefined otherwise. */
  known(feed: string): number | undefined {
    const kept = this.#kept.get(feed);
    if (kept === undefined) return undefined;
    if (kept.writes === this.#writes.finished && this.now() - kept.readMs < this.ttlMs) return kept.version;
    this.#kept.delete(feed);
    return undefined;
  }

  /** The version of `feed`: one kept while still good, else the result of `read()` (shared with a read of it under way). */
  version(feed: string, read: () => Promise<number>): Promise<number> {
    const known = this.known(feed);
    if (known !== undefined) return Promise.resolve(known);
    const now = this.now();
    const writes = this.#writes.finished;
    const reading = this.#reading.get(feed);
    if (reading !== undefined && reading.writes === writes && now - reading.readMs < this.ttlMs) return reading.promise;

    const order = ++this.#reads;
    const promise = read().then(
      (version) => {
        this.#settle(feed, promise);
        const kept = this.#kept.get(feed);
        if (writes === this.#writes.finished && (kept === undefined || kept.read < order)) {
          if (kept === undefined && this.#kept.size >= this.maxKept) this.#kept.delete(this.#kept.keys().next().value!);
          this.#kept.set(feed, { version, readMs: now, writes, read: order });
        }
        return version;
      },
      (error: unknown) => {
        this.#settle(feed, promise);
        throw error;
      },
    );
    this.#reading.set(feed, { promise, readMs: now, writes });
    return promise;
  }

  #settle(feed: string, promise: Promise<number>) {
    if (this.#reading.get(feed)?.promise === promise) this.#reading.delete(feed);
  }

  /** Runs a write; once it has finished (or failed), every version read before is forgotten by every store over the database. */
  async writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.#writes.finished++;
    }
  }
}
