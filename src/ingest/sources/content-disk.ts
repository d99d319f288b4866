/** Reads the content folder from the file system (Node) for the content source. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import type { ContentFile, ContentFolder } from "../deps.ts";

/** Every `.md` file below the language folders, with paths relative to `dir`. */
export function listContentFiles(dir: string): ContentFile[] {
  const files: ContentFile[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory() && !(folder === dir && entry.name === "media")) walk(path);
      else if (entry.isFile() && entry.name.endsWith(".md") && folder !== dir) {
        files.push({ path: relative(dir, path).split(sep).join("/"), text: readFileSync(path, "utf8") });
      }
    }
  };
  walk(dir);
  return files;
}

/** The content folder as the ingest reads it: its article files and the sizes of its media files. */
export function readContentFolder(dir: string): ContentFolder {
  return {
    files: listContentFiles(dir),
    folder: basename(dir),
    mediaSize(name) {
      try {
        const stat = statSync(join(dir, "media", name));
        return stat.isFile() ? stat.size : null;
      } catch {
        return null;
      }
    },
  };
}
