/** Choosing the character set of a fetched body and decoding it, as browsers do. */
import { FetchError } from "./errors.ts";

type Charset = { label: string; from: string };

/**
 * Decodes a body the way the WHATWG Encoding Standard and HTML's prescan choose an encoding: a BOM
 * first, then the Content-Type charset, then an XML declaration, then an HTML `<meta>` in the first
 * 1024 bytes, else UTF-8. Malformed bytes become U+FFFD; a label the runtime cannot decode is a FetchError.
 */
export function decodeBody(bytes: Uint8Array, contentTypeHeader: string | null): { text: string; charset: string } {
  const chosen = bomCharset(bytes) ?? headerCharset(contentTypeHeader) ?? documentCharset(bytes) ?? { label: "utf-8", from: "default" };
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(chosen.label, { fatal: false, ignoreBOM: false });
  } catch {
    throw new FetchError(`fetch: character set "${chosen.label}" (from ${chosen.from}) is not one this runtime can decode`);
  }
  const text = decoder.decode(bytes);
  return { text: text.startsWith("\uFEFF") ? text.slice(1) : text, charset: decoder.encoding };
}

/** True when `bytes` are well-formed in `charset`: decoding them makes no replacement character. */
export function decodesStrictly(bytes: Uint8Array, charset: string): boolean {
  try {
    new TextDecoder(charset, { fatal: true, ignoreBOM: false }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function bomCharset(bytes: Uint8Array): Charset | null {
  const [b0, b1, b2] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { label: "utf-8", from: "the byte order mark" };
  if (b0 === 0xff && b1 === 0xfe) return { label: "utf-16le", from: "the byte order mark" };
  if (b0 === 0xfe && b1 === 0xff) return { label: "utf-16be", from: "the byte order mark" };
  return null;
}

function headerCharset(contentTypeHeader: string | null): Charset | null {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentTypeHeader ?? "");
  const label = (match?.[1] ?? match?.[2] ?? "").trim();
  return label ? { label, from: "the Content-Type header" } : null;
}

const XML_DECLARATION_ENCODING = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']+)["']/;
const META_CHARSET = /<meta\b[^>]*?\bcharset\s*=\s*(?:["']\s*)?([^\s"';>/]+)/i;

/** A declaration inside the document, read from its first 1024 bytes as if they were ASCII. */
function documentCharset(bytes: Uint8Array): Charset | null {
  const head = String.fromCharCode(...bytes.subarray(0, 1024));
  const declaration = XML_DECLARATION_ENCODING.exec(head);
  const meta = declaration ? null : META_CHARSET.exec(head);
  const found = declaration
    ? { label: declaration[1]!.trim(), from: "the XML declaration" }
    : meta
      ? { label: meta[1]!, from: "an HTML <meta> tag" }
      : null;
  if (found === null) return null;
  // A declaration readable as ASCII cannot be UTF-16; HTML's prescan reads such a claim as UTF-8.
  if (/^utf-16(?:le|be)?$/i.test(found.label)) return { label: "utf-8", from: found.from };
  return found;
}
