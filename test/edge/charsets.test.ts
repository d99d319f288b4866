/** The legacy character sets Korean, Japanese and Chinese publishers still serve, decoded inside workerd. */
import { expect, it } from "vitest";
import { decodeBody } from "../../src/ingest/fetch/charset.ts";

const hex = (h: string) => new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16)));

it.each([
  ["euc-kr", "c7d1b1b9beee20b1e2bbe7", "한국어 기사"],
  ["shift_jis", "93fa967b8cea", "日本語"],
  ["euc-jp", "c6fccbdcb8ec", "日本語"],
  ["gb18030", "d6d0cec4", "中文"],
  ["big5", "a4a4a4e5", "中文"],
])("decodes %s", (charset, bytes, text) => {
  expect(decodeBody(hex(bytes), `text/xml; charset=${charset}`).text).toBe(text);
});
