/**
 * The push API: `POST /api/articles` takes one article or an array (JSON Feed item vocabulary),
 * `DELETE /api/articles/{id}` withdraws one; both need `Authorization: Bearer <INGEST_TOKEN>`.
 */
import { Hono } from "hono";
import { apiProblem, bearerAuth } from "../bearer.ts";
import { announceChanges, commitArticles, feedVersionsIfAnnouncing, type IngestDeps } from "../../ingest/run.ts";
import { joinChunks } from "../../model/bytes.ts";
import { waitUntil } from "../background.ts";
import { itemId, normalizeItem, type ItemSource } from "../../ingest/normalize.ts";
import { parsePushBody } from "../../ingest/sources/push.ts";

/** Largest body accepted, in bytes. */
export const MAX_PUSH_BYTES = 1024 * 1024;
const SOURCE_NAME = "push";

export function pushRoutes(ingest: IngestDeps, token: string | null): Hono {
  const app = new Hono();
  const { store, site } = ingest;

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
    const parsed = parsePushBody(body, site.siteUrl);
    if (!parsed.ok) return apiProblem(c, 400, "body has problems; nothing was stored", parsed.errors);

    const nowMs = ingest.now();
    const [language] = site.settings.languages;
    const source: ItemSource = {
      name: SOURCE_NAME,
      lang: language!.tag,
      section: language!.sections[0]!.slug,
      sections: sectionNames(ingest),
      timezone: site.settings.timezone,
    };
    const normalized = parsed.items.map((item) => normalizeItem(item, source, site.settings, site.siteUrl, nowMs));
    const refused = normalized.flatMap((n, i) => (n.ok ? [] : [`${Array.isArray(body) ? `[${i}]` : "body"}: ${n.reason}`]));
    if (refused.length) return apiProblem(c, 400, "body has problems; nothing was stored", refused);

    const ready = normalized.flatMap((n) => (n.ok ? [n] : []));
    const versions = await feedVersionsIfAnnouncing(ingest);
    const { report } = await commitArticles(store, ready, nowMs, { keepWithdrawn: false });
    const links = await store.linkEditions();
    if (versions) waitUntil(c, announceChanges(ingest, versions));
    return c.json({
      ids: ready.map((r) => r.article.id),
      new: report.inserted,
      updated: report.updated,
      unchanged: ready.length - report.inserted.length - report.updated.length - report.failed.length,
      failed: report.failed,
      conflicts: links.conflicts,
    });
  });

  app.delete("/:id{.+}", async (c) => {
    const id = itemId(site.settings, SOURCE_NAME, c.req.param("id"));
    const versions = await feedVersionsIfAnnouncing(ingest);
    const withdrawn = await store.withdraw([id], ingest.now());
    if (versions && withdrawn.length) waitUntil(c, announceChanges(ingest, versions));
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
  const reader = request.body.getReader();
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

/** Pushed items name our sections by slug; each slug maps to itself. */
function sectionNames(ingest: IngestDeps): Record<string, string> {
  const names: Record<string, string> = {};
  for (const l of ingest.site.settings.languages) for (const s of l.sections) names[s.slug] = s.slug;
  return names;
}
