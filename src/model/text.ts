/** The clean text the store holds: normalized once at ingest, so renderers only escape. */

/**
 * Forbidden characters plus those XML 1.0 discourages (C1 controls, DEL, noncharacters) and U+FFFD, the
 * mark of an earlier decoding failure: feed validators warn on all of them, and none is news text.
 */
const NOT_TEXT =
  /[^\t\n\r\x20-\x7E\xA0-\uD7FF\uE000-\uFDCF\uFDF0-\uFFFC\u{10000}-\u{10FFFF}]|[\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/gu;

/** NFC, no character XML forbids or discourages, line ends as LF. For bodies and other multi-line text. */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(NOT_TEXT, "").normalize("NFC");
}

/** `cleanText`, then every run of white space as one space, trimmed. For titles, names, summaries. */
export function cleanLine(text: string): string {
  return cleanText(text).replace(/\s+/gu, " ").trim();
}
