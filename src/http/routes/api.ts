/** The API behind the bearer token: the push API (`/api/articles`, when the ingest is given), subscriber statistics and the compression queue's figures. */
import { Hono } from "hono";
import type { CompressionStats } from "../feeds/encoding.ts";
import type { IngestDeps } from "../../ingest/deps.ts";
import type { ArticleStore } from "../../store/store.ts";
import { bearerAuth } from "../bearer.ts";
import { subscriberReport } from "../subscribers.ts";
import { pushRoutes } from "./push.ts";

export function apiRoutes(deps: {
  store: ArticleStore;
  ingest?: IngestDeps;
  token: string | null;
  /** The compression queue's figures, where the runtime compresses (Node). */
  compression?: () => CompressionStats | undefined;
}): Hono {
  const { store, token } = deps;
  const app = new Hono();
  if (deps.ingest) app.route("/api/articles", pushRoutes(deps.ingest, token));
  app.get("/api/stats", bearerAuth(token), async (c) => {
    const compression = deps.compression?.();
    return c.json({ ...subscriberReport(await store.subscriberStats()), ...(compression && { compression }) });
  });
  return app;
}
