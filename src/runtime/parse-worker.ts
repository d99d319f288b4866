/**
 * The parse worker's entry (a worker thread started by parse-pool.ts): reads upstream documents and
 * normalizes items, one job at a time, and posts back plain data or the error's name and message.
 */
import { parentPort } from "node:worker_threads";
import { openUpstream, parseUpstream } from "../ingest/formats/detect.ts";
import { normalizeAll, readFeedPart } from "../ingest/reader.ts";
import type { ParseJob, ParseReply } from "./parse-protocol.ts";

const port = parentPort;
if (!port) throw new Error("parse-worker: runs only as a worker thread (see parse-pool.ts)");

port.on("message", (job: ParseJob) => {
  let reply: ParseReply;
  try {
    const result =
      job.kind === "parse"
        ? parseUpstream(job.text, job.contentType, job.url)
        : job.kind === "open"
          ? openUpstream(job.text, job.contentType, job.url, job.perPart)
          : job.kind === "part"
            ? readFeedPart(job.text, job.contentType, job.url, job.source, job.site, job.nowMs)
            : normalizeAll(job.items, job.source, job.site, job.nowMs);
    reply = { id: job.id, result };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    reply = { id: job.id, error: { name, message } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies ParseReply);
