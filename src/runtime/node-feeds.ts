/**
 * Node's short way to the subscription feeds, the URLs aggregators poll all day: a request for one of
 * them, by its exact path, is answered by the app's own FeedResponder, and written straight to
 * node:http's response, skipping the router and the conversion to and from Fetch API objects (together
 * most of the cost of a cached answer). Anything else, and anything that fails here, goes to the app.
 *
 * The requests that arrive in one poll of the sockets are answered together, right after it (in one
 * setImmediate), so that the store looks for other processes' commits once for all of them; that look
 * comes after every one of them was read, so each sees every commit that returned before it arrived.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Site } from "../config/site.ts";
import { FORMAT_NAMES, FORMATS } from "../feeds/formats.ts";
import { CORRECTIONS_SEGMENT, feedDirectory } from "../feeds/links.ts";
import type { Service } from "../http/app.ts";
import { inBackground } from "../http/background.ts";
import type { FeedAnswer, FeedRequest, FeedSpec } from "../http/feeds/serving.ts";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Every subscription document by its path: each language and section, each format (`/en/politics/rss.xml`),
 * and each language's corrections feed (`/en/corrections/rss.xml`).
 */
export function subscriptionPaths(site: Site): Map<string, FeedSpec> {
  const paths = new Map<string, FeedSpec>();
  for (const language of site.settings.languages) {
    for (const section of [undefined, ...language.sections]) {
      for (const format of FORMAT_NAMES)
        paths.set(feedDirectory(language.tag, section?.slug) + FORMATS[format].file, { language, section, format });
    }
    for (const format of FORMAT_NAMES)
      paths.set(`/${language.tag}/${CORRECTIONS_SEGMENT}/${FORMATS[format].file}`, { language, format, corrections: true });
  }
  return paths;
}

/** A node:http request as answering a feed reads it; headers Node received more than once are joined as Fetch joins them. */
class NodeFeedRequest implements FeedRequest {
  readonly method: string;
  readonly #headers: IncomingMessage["headers"];

  constructor(req: IncomingMessage) {
    this.method = req.method!;
    this.#headers = req.headers;
  }

  header(name: string): string | undefined {
    const value = this.#headers[name];
    return typeof value === "string" || value === undefined ? value : value.join(", ");
  }
}

/**
 * Writes the answer of a subscription document, or hands the request to the app (see withFeedPath). A
 * cached document whose version is known is answered before this returns; anything else when its
 * answer is ready.
 */
function answer(service: Service, spec: FeedSpec, req: IncomingMessage, res: ServerResponse, app: Listener) {
  let answered: FeedAnswer | null | Promise<FeedAnswer | null>;
  try {
    answered = service.feeds.answer(new NodeFeedRequest(req), spec, inBackground);
  } catch {
    answered = null;
  }
  if (answered instanceof Promise)
    answered.then(
      (ready) => write(service, ready, req, res, app),
      () => write(service, null, req, res, app),
    );
  else write(service, answered, req, res, app);
}

/** The headers of an answer as node:http takes them fastest, a flat list of names and values; made once per header set. */
const flatHeaders = new WeakMap<Readonly<Record<string, string>>, string[]>();

function flat(headers: Readonly<Record<string, string>>): string[] {
  let list = flatHeaders.get(headers);
  if (list === undefined) {
    list = [];
    for (const name in headers) list.push(name, headers[name]!);
    flatHeaders.set(headers, list);
  }
  return list;
}

/**
 * Sends `answered`; without one (it failed, or there was nothing), the app answers again and reports
 * what went wrong its own way (503 for a busy store, 500 logged). Answers of one document share their
 * header set (see feeds/prepared.ts), so its flat form is made once.
 */
function write(service: Service, answered: FeedAnswer | null, req: IncomingMessage, res: ServerResponse, app: Listener) {
  service.inFlight?.leave();
  if (answered === null) return app(req, res);
  try {
    res.writeHead(answered.status, flat(answered.headers));
    res.end(answered.body ?? undefined);
  } catch {
    // Headers Node refuses to write: the app answers (its adapter reports the error); past the headers, the connection goes.
    if (res.headersSent) res.destroy();
    else app(req, res);
  }
}

/** A request waiting for the answers of its poll (see withFeedPath). */
interface Waiting {
  spec: FeedSpec;
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * A request listener that answers GET and HEAD of subscription documents (the path exactly, no query)
 * itself and passes every other request to `app`, the app's own listener. It counts its requests in
 * the app's in-flight limit; when the limit is reached, the app answers (503). The requests of one poll
 * are answered together, in the order they came, once the poll is done.
 */
export function withFeedPath(service: Service, site: Site, app: Listener): Listener {
  const paths = subscriptionPaths(site);
  let waiting: Waiting[] = [];
  const answerWaiting = () => {
    const batch = waiting;
    waiting = [];
    for (const { spec, req, res } of batch) answer(service, spec, req, res, app);
  };
  return (req, res) => {
    const spec = req.method === "GET" || req.method === "HEAD" ? paths.get(req.url!) : undefined;
    if (spec === undefined || (service.inFlight && !service.inFlight.enter())) return app(req, res);
    if (waiting.push({ spec, req, res }) === 1) setImmediate(answerWaiting);
  };
}
