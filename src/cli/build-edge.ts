/**
 * `npm run build:edge`: the content folder as the Worker carries it, since Workers have no file
 * system: `.build/content.json` (site.yaml, every article file, media sizes), bundled into the Worker
 * and ingested by its scheduled handler, and `.build/assets/media/`, served as static assets.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { readContentFolder } from "../ingest/sources/content-disk.ts";
import type { EdgeContent } from "../runtime/edge-content.ts";

export function buildEdge(contentDir = process.env.CONTENT_DIR || "content", outDir = ".build"): EdgeContent {
  const folder = readContentFolder(contentDir);
  const mediaDir = join(contentDir, "media");
  const media: Record<string, number> = {};
  if (existsSync(mediaDir)) {
    for (const entry of readdirSync(mediaDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const name = relative(mediaDir, join(entry.parentPath, entry.name)).split(sep).join("/");
      const size = folder.mediaSize(name);
      if (size !== null) media[name] = size;
    }
  }
  const bundle: EdgeContent = {
    folder: folder.folder,
    siteYaml: readFileSync(join(contentDir, "site.yaml"), "utf8"),
    files: folder.files,
    media,
  };
  rmSync(join(outDir, "assets"), { recursive: true, force: true });
  mkdirSync(join(outDir, "assets"), { recursive: true });
  if (existsSync(mediaDir)) cpSync(mediaDir, join(outDir, "assets", "media"), { recursive: true });
  // Headers of the media answers, which Workers serve without the app: nosniff, as every answer has.
  writeFileSync(join(outDir, "assets", "_headers"), "/media/*\n  X-Content-Type-Options: nosniff\n");
  writeFileSync(join(outDir, "content.json"), JSON.stringify(bundle));
  return bundle;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const bundle = buildEdge();
  console.log(`build:edge: ${bundle.files.length} article files, ${Object.keys(bundle.media).length} media files -> .build/`);
}
