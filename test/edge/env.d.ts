/** The bindings the edge tests see besides the Worker's own (worker-configuration.d.ts): the migrations the setup file applies. */
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
