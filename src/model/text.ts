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

/** `text` without the characters at its end that `char` (a pattern of one character) matches; linear, whatever the text. */
export function trimEndMatching(text: string, char: RegExp): string {
  let end = text.length;
  while (end > 0 && char.test(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/** `text` without the characters at its start that `char` (a pattern of one character) matches. */
export function trimStartMatching(text: string, char: RegExp): string {
  let start = 0;
  while (start < text.length && char.test(text[start]!)) start++;
  return text.slice(start);
}

/** Longest address SMTP carries (RFC 5321, section 4.5.3.1.3). */
const MAX_EMAIL_LENGTH = 254;
// Dot-separated labels after the @, each without a dot, so no two quantifiers can trade characters.
const EMAIL = /^[^\s@<>()"]+@[^\s@<>()".]+(?:\.[^\s@<>()".]+)+$/;

/** An e-mail address as feeds and bylines carry one: local part, @, a dotted domain; nothing that breaks a header. */
export function isEmailAddress(text: string): boolean {
  return text.length <= MAX_EMAIL_LENGTH && EMAIL.test(text);
}
