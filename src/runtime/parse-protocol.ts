/** The messages between the parse pool and its worker thread: plain data, structured-cloned both ways. */
import type { DocumentParts } from "../ingest/formats/detect.ts";
import type { IncomingItem, ParsedDocument } from "../ingest/incoming.ts";
import type { ItemSource, Normalized } from "../ingest/normalize.ts";
import type { FeedPart, ReaderSite } from "../ingest/reader.ts";

export type ParseJob =
  | { id: number; kind: "parse"; text: string; contentType: string; url: string }
  | { id: number; kind: "open"; text: string; contentType: string; url: string; perPart: number }
  | { id: number; kind: "part"; text: string; contentType: string; url: string; source: ItemSource; site: ReaderSite; nowMs: number }
  | { id: number; kind: "normalize"; items: IncomingItem[]; source: ItemSource; site: ReaderSite; nowMs: number };

export type ParseReply =
  | { ready: true }
  | { id: number; result: ParsedDocument | Normalized[] | FeedPart | { kind: "document"; document: ParsedDocument } | DocumentParts }
  | { id: number; error: { name: string; message: string } };
