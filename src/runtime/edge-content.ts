/** The content folder as a bundled module carries it to the Worker (made by `npm run build:edge`). */
import type { ContentFile, ContentFolder } from "../ingest/deps.ts";

export interface EdgeContent {
  /** The folder's name, the prefix of its articles' sources: `content`. */
  folder: string;
  siteYaml: string;
  files: ContentFile[];
  /** Byte size of each file under media/, by name relative to it. */
  media: Record<string, number>;
}

/** The bundle read as the content source reads a folder on disk. */
export function bundledFolder(bundle: EdgeContent): ContentFolder {
  return {
    folder: bundle.folder,
    files: bundle.files,
    mediaSize: (name) => (Object.hasOwn(bundle.media, name) ? bundle.media[name]! : null),
  };
}
