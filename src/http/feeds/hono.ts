/** Feed answers through Hono: a Hono request read as a FeedRequest, the FeedAnswer written as a Fetch API Response. */
import type { Context } from "hono";
import { waitUntil } from "../background.ts";
import type { FeedResponder } from "./answer.ts";
import type { FeedAnswer, FeedRequest, FeedSpec } from "./serving.ts";

/** The request of a Hono context, as answering a feed reads it. */
function honoFeedRequest(c: Context): FeedRequest {
  return { method: c.req.method, header: (name) => c.req.header(name) };
}

/** The answer as a Fetch API Response (Hono, Workers). */
function toResponse(answer: FeedAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** Serves `spec` through Hono (see FeedResponder.answer); null for an archive month without articles. */
export async function serveFeed(c: Context, feeds: FeedResponder, spec: FeedSpec): Promise<Response | null> {
  const answer = await feeds.answer(honoFeedRequest(c), spec, (work) => waitUntil(c, work));
  return answer && toResponse(answer);
}
