/**
 * No secret in the logs. The app and an ingest run log to one memory logger while the push API and
 * /api/stats are used with the token, with wrong tokens, and with a store that fails (so the error
 * path logs too); no logged line holds a token.
 */
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.ts";
import { memoryCache } from "../../src/http/render-cache.ts";
import { runIngest } from "../../src/ingest/run.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { StoreError } from "../../src/store/errors.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { CONTENT_DIR, ingestDeps, memoryLogger, testSite } from "../helpers.ts";
import { NOW_MS, TOKEN } from "./support.ts";

/** The store, with the named methods failing the way a full disk does. */
function failing(store: ArticleStore, methods: string[]): ArticleStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === "string" && methods.includes(property)) {
        return async () => {
          throw new StoreError("full", new Error(`store: unable to write: database or disk is full (SQLITE_FULL)`));
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("logs", () => {
  it("hold no token, right or wrong, whatever the API and the ingest go through", async () => {
    const wrong = [`${TOKEN}-but-longer`, TOKEN.slice(0, -4), "a-guess-at-the-token-0000"];
    const logger = memoryLogger();
    const site = testSite();
    const store = openSqliteStore(":memory:");
    const deps = { ...ingestDeps(store, site, CONTENT_DIR), logger, now: () => NOW_MS };
    const apps = [store, failing(store, ["subscriberStats", "upsert", "byIds", "withdraw"])].map((s) =>
      createApp({ store: s, site, logger, ingest: { ...deps, store: s }, ingestToken: TOKEN, cache: memoryCache(), now: () => NOW_MS }),
    );
    const push = (body: string, token: string) => ({
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body,
    });
    const article = JSON.stringify({ id: "logged", title: "A pushed story", content_text: "Body.", language: "en", section: "business" });

    const statuses: number[] = [];
    for (const app of apps) {
      for (const token of [TOKEN, ...wrong]) {
        statuses.push((await app.request("/api/articles", push(article, token))).status);
        statuses.push((await app.request("/api/articles", push('{"id": ', token))).status);
        statuses.push((await app.request("/api/stats", { headers: { Authorization: `Bearer ${token}` } })).status);
        statuses.push(
          (await app.request("/api/articles/logged", { method: "DELETE", headers: { Authorization: `Bearer ${token}` } })).status,
        );
        statuses.push(
          (await app.request(`/en/rss.xml?token=${token}`, { headers: { Authorization: `Bearer ${token}`, Cookie: `token=${token}` } }))
            .status,
        );
      }
    }
    await runIngest(deps);
    await runIngest({ ...deps, store: failing(store, ["upsert"]) });
    await store.close();

    // The failing store made 503s (a store that cannot be written is a wait), so the error path did log.
    expect(statuses).toContain(503);
    expect(statuses).toContain(401);
    expect(logger.errors.length).toBeGreaterThan(0);
    const lines = [...logger.infos, ...logger.errors];
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      for (const secret of [TOKEN, ...wrong]) expect(line, "a logged line").not.toContain(secret);
      expect(line).not.toMatch(/\bBearer\s+[\w.~+/-]{8,}/);
    }
  });
});
