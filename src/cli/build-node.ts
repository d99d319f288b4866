/**
 * `npm run build` (and before `npm start`): the Node server as one JavaScript file,
 * `.build/node/server.js` with its source map, the npm packages left as imports; beside it the parse
 * worker's entry as a bundle of its own, `parse-worker.js` (the server starts it as a worker thread
 * from next to its own code), and the store's migrations (the store finds them next to its own code). Running plain JavaScript rather
 * than TypeScript compiled on load starts faster and keeps the compiler's thread and its caches
 * (about 60 MB) out of the server's memory.
 */
import { build } from "esbuild";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MIGRATIONS_DIR } from "../store/sqlite-migrate.ts";

export const SERVER_ENTRY = "src/runtime/node.ts";
export const PARSE_WORKER_ENTRY = "src/runtime/parse-worker.ts";

export async function buildNode(outDir = join(".build", "node")): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: { server: SERVER_ENTRY, "parse-worker": PARSE_WORKER_ENTRY },
    outdir: outDir,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
  });
  cpSync(MIGRATIONS_DIR, join(outDir, "migrations"), { recursive: true });
  return join(outDir, "server.js");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  buildNode().then(
    (outfile) => console.log(`build: ${SERVER_ENTRY} -> ${outfile}`),
    (error: Error) => {
      console.error(`build: ${error.message}`);
      process.exit(1);
    },
  );
}
