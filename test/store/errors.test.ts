/** Store errors: a database that cannot be used now leaves the SQLite adapter as a StoreError, with the driver's message (D1: test/edge/d1-store.test.ts). */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kindOfSqliteCode, StoreError } from "../../src/store/errors.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { makeArticle } from "./contract.ts";

const article = (id: string, slug: string) =>
  makeArticle({ id, lang: "en", section: "politics", slug, story: id, published: "2026-09-17T21:10:00+09:00" });
const TEMP_DIR = mkdtempSync(join(tmpdir(), "hanbit-store-errors-test-"));

afterAll(() => {
  rmSync(TEMP_DIR, { recursive: true, force: true });
});

describe("SQLite result codes", () => {
  it("name a kind for a database that cannot be used now, primary or extended, and none for a broken rule", () => {
    expect(kindOfSqliteCode("SQLITE_BUSY")).toBe("locked");
    expect(kindOfSqliteCode("SQLITE_BUSY_SNAPSHOT")).toBe("locked");
    expect(kindOfSqliteCode("SQLITE_LOCKED_SHAREDCACHE")).toBe("locked");
    expect(kindOfSqliteCode("SQLITE_READONLY_DBMOVED")).toBe("read-only");
    expect(kindOfSqliteCode("SQLITE_FULL")).toBe("full");
    expect(kindOfSqliteCode("SQLITE_IOERR_WRITE")).toBe("unavailable");
    expect(kindOfSqliteCode("SQLITE_CORRUPT")).toBe("unavailable");
    expect(kindOfSqliteCode("SQLITE_CONSTRAINT_UNIQUE")).toBeUndefined();
    expect(kindOfSqliteCode("SQLITE_ERROR")).toBeUndefined();
  });
});

describe("the SQLite adapter", () => {
  it("throws a StoreError (locked) with the driver's message while another connection holds the lock", async () => {
    const path = join(TEMP_DIR, "locked.db");
    const store = openSqliteStore(path, 50);
    const locker = new Database(path);
    locker.exec("BEGIN EXCLUSIVE");
    try {
      const error = await store.upsert([article("a", "held")]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).kind).toBe("locked");
      expect((error as StoreError).message).toBe("database is locked");
      expect(((error as StoreError).cause as { code: string }).code).toMatch(/^SQLITE_BUSY/);
    } finally {
      locker.exec("COMMIT");
      locker.close();
      await store.close();
    }
  });

  it("reports an article that breaks a rule in its report, not as a StoreError", async () => {
    const store = openSqliteStore(":memory:");
    try {
      await store.upsert([article("a", "same")]);
      const report = await store.upsert([article("b", "same")]);
      expect(report.failed.map((f) => f.error)).toEqual(["store: another article of this language already has this slug"]);
    } finally {
      await store.close();
    }
  });
});
