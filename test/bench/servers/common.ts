/**
 * "The common way": Hono on @hono/node-server reading the latest articles from the same SQLite file and
 * rendering them with the `feed` package on every request (no cache, no validators). Started by the
 * bench as a child process with DATABASE_PATH and CONTENT_DIR; prints the port it listens on as JSON.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findLanguage, parseSiteSettings, type Site } from "../../../src/config/site.ts";
import { readFeed } from "../../../src/feeds/build.ts";
import { openSqliteStore } from "../../../src/store/sqlite.ts";
import { feedLibRss } from "../render.ts";

const contentDir = process.env.CONTENT_DIR!;
const settings = parseSiteSettings(readFileSync(join(contentDir, "site.yaml"), "utf8"), join(contentDir, "site.yaml"));
const site: Site = { settings, siteUrl: process.env.SITE_URL ?? "https://news.example" };
const store = openSqliteStore(process.env.DATABASE_PATH!);

const app = new Hono();
app.get("/:lang/rss.xml", async (c) => {
  const language = findLanguage(settings, c.req.param("lang"));
  if (!language) return c.notFound();
  const model = await readFeed(store, site, { language });
  return c.body(feedLibRss(model), 200, { "Content-Type": "application/rss+xml; charset=utf-8" });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => console.log(JSON.stringify({ port: info.port })));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
