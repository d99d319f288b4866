/** A document read from a local file (`npm run ingest -- --source <file>`): decoded by the rules a fetched body follows. */
import { decodeBody, decodesStrictly } from "./fetch/charset.ts";

/**
 * The file's text, its character set found as for a fetched document (byte order mark, XML
 * declaration, HTML `<meta>`, else UTF-8). Bytes that are not that character set (a windows-1251 or
 * KOI8-R file that declares nothing, read as UTF-8) would lose characters silently, so they are
 * refused with where and what to do about it, as a fetched body is.
 */
export function decodeLocalDocument(bytes: Uint8Array): { text: string; charset: string } {
  const decoded = decodeBody(bytes, null);
  const bad = decoded.text.indexOf("\uFFFD");
  if (bad !== -1 && !decodesStrictly(bytes, decoded.charset)) {
    const line = decoded.text.slice(0, bad).split("\n").length;
    throw new Error(
      `the file is not valid ${decoded.charset}, the character set it declares (or UTF-8 when it declares none), ` +
        `from line ${line} on; declare its real encoding (<?xml version="1.0" encoding="windows-1251"?>, ` +
        `<meta charset="koi8-r">) or convert it to UTF-8`,
    );
  }
  return decoded;
}
