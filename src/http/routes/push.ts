/**
 * The push API: `POST /api/articles` takes one article or an array (JSON Feed item vocabulary),
 * `DELETE /api/articles/{id}` withdraws one; both need `Authorization: Bearer <INGEST_TOKEN>`. The route
 * reads the request and answers; the ingest does the work.
 */
import { Hono } from "hono";
import { apiProblem, bearerAuth } from "../bearer.ts";
import type { IngestDeps } from "../../ingest/deps.ts";
import { joinChunks } from "../../model/bytes.ts";
import { pushArticles, withdrawPushed } from "../../ingest/sources/push.ts";
import { waitUntil } from "../background.ts";

/** Largest body accepted, in bytes. */
export const MAX_PUSH_BYTES = 1024 * 1024;

export function pushRoutes(ingest: IngestDeps, token: string | null): Hono {
  const app = new Hono();

  app.use("*", bearerAuth(token));

  app.post("/", async (c) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json" && type !== "application/feed+json") {
      return apiProblem(c, 415, `content type must be application/json, not "${type || "none"}"`);
    }
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_PUSH_BYTES) return apiProblem(c, 413, `body is over the ${MAX_PUSH_BYTES}-byte limit`);
    let raw: Uint8Array | null;
    try {
      raw = await readAtMost(c.req.raw, MAX_PUSH_BYTES);
    } catch (error) {
      // The client went away or broke the framing mid-body: its mistake, not a server error to log.
      return apiProblem(c, 400, "body could not be read to its end", [(error as Error).message]);
    }
    if (raw === null) return apiProblem(c, 413, `body is over the ${MAX_PUSH_BYTES}-byte limit`);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw));
    } catch (error) {
      return apiProblem(c, 400, "body is not valid UTF-8 JSON", [(error as Error).message]);
    }
    const pushed = await pushArticles(ingest, body);
    if (!pushed.ok) return apiProblem(c, 400, "body has problems; nothing was stored", pushed.problems);
    if (pushed.announcement) waitUntil(c, pushed.announcement);
    return c.json(pushed.result);
  });

  app.delete("/:id{.+}", async (c) => {
    const { withdrawn, unscheduled, announcement } = await withdrawPushed(ingest, c.req.param("id"), c.req.query("reason"));
    if (announcement) waitUntil(c, announcement);
    if (unscheduled.length) return c.json({ withdrawn, unscheduled });
    if (withdrawn.length === 0) return apiProblem(c, 404, `no pushed article with id "${c.req.param("id")}"`);
    return c.json({ withdrawn });
  });

  return app;
}

/**
 * The request's body, or null as soon as it passes `limit` bytes: a chunked body, or one whose
 * Content-Length understates it, is never held in memory beyond the limit.
 */
async function readAtMost(request: Request, limit: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(read.value);
  }
  return joinChunks(chunks, size);
}
