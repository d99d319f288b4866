/**
 * The IndexNow key file, `/{INDEXNOW_KEY}.txt`: the search engines fetch it to check that the pings
 * naming this host come from its owner (https://www.indexnow.org/documentation). Absent without a key.
 */
import { Hono } from "hono";
import type { Site } from "../../config/site.ts";

export function indexNowRoutes(site: Site): Hono {
  const app = new Hono();
  const key = site.indexNow?.key;
  if (key) app.get(`/${key}.txt`, (c) => c.text(key, 200, { "Cache-Control": "public, max-age=3600" }));
  return app;
}
