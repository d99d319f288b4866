/**
 * The Workers entry point: the same `createApp(deps)` and `runIngest(deps)` as Node, over D1, with
 * rendered feeds in the Cache API and the content folder bundled at build time (`npm run build:edge`).
 */
import bundle from "../../.build/content.json" with { type: "json" };
import { runIngest } from "../ingest/run.ts";
import type { EdgeContent } from "./edge-content.ts";
import { edgeDeps, type WorkerEnv } from "./worker-deps.ts";

const content = bundle as EdgeContent;

export default {
  async fetch(request, env, ctx) {
    if (env.ASSETS && new URL(request.url).pathname.startsWith("/media/")) return env.ASSETS.fetch(request);
    return edgeDeps(env, content).app.fetch(request, env, ctx);
  },

  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runIngest(edgeDeps(env, content).ingest).then(() => undefined));
  },
} satisfies ExportedHandler<WorkerEnv>;
