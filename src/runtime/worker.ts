/**
 * The Workers entry point: the same `createApp(deps)` and `runIngest(deps)` as Node, over D1, with
 * rendered feeds in the Cache API and the content folder bundled at build time (`npm run build:edge`).
 */
import bundle from "../../.build/content.json" with { type: "json" };
import { releaseScheduled } from "../ingest/release.ts";
import { runIngest } from "../ingest/run.ts";
import type { EdgeContent } from "./edge-content.ts";
import { edgeDeps, MINUTE_CRON, type EdgeDeps, type WorkerEnv } from "./worker-deps.ts";

/**
 * The handlers, with the app and ingest they build on first use and keep for the isolate's life (built
 * again if the bindings change). The memo lives in this object, so no other app in the isolate shares it.
 */
function createWorker(content: EdgeContent) {
  let built: { env: WorkerEnv; deps: EdgeDeps } | undefined;
  const deps = (env: WorkerEnv): EdgeDeps => {
    if (built?.env !== env) built = { env, deps: edgeDeps(env, content) };
    return built.deps;
  };
  return {
    async fetch(request, env, ctx) {
      if (env.ASSETS && new URL(request.url).pathname.startsWith("/media/")) return env.ASSETS.fetch(request);
      return deps(env).app.fetch(request, env, ctx);
    },

    async scheduled(controller, env, ctx) {
      // The minute trigger releases scheduled articles; every other trigger (wrangler.toml) ingests.
      if (controller.cron === MINUTE_CRON) ctx.waitUntil(releaseScheduled(deps(env).ingest).then(() => undefined));
      else ctx.waitUntil(runIngest(deps(env).ingest).then(() => undefined));
    },
  } satisfies ExportedHandler<WorkerEnv>;
}

export default createWorker(bundle);
