/** The bindings the edge tests see: the Worker's own, and the migrations the setup file applies. */
declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    SITE_URL: string;
  }
}
