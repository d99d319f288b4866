/** The clean text the store holds: NFC, LF line ends, nothing XML forbids or feed validators warn about. */
import { describe, expect, it } from "vitest";
import { cleanLine, cleanText } from "../../src/model/text.ts";

describe("cleanText", () => {
  it("composes decomposed hangul jamo into the precomposed syllable (NFC)", () => {
    // ㅎ + ㅏ + ㄴ as conjoining jamo, as some Mac and IME sources deliver them.
    const decomposed = "\u1112\u1161\u11AB\u1100\u1173\u11AF";
    expect(cleanText(decomposed)).toBe("\uD55C\uAE00");
    expect(cleanText(decomposed)).toBe("한글");
  });

  it("composes e + combining acute into é", () => {
    expect(cleanText("Cafe\u0301 culture")).toBe("Caf\u00E9 culture");
  });

  it("composes across a removed control character, because removal happens before NFC", () => {
    expect(cleanText("e\u0007\u0301")).toBe("\u00E9");
  });

  it("removes C0 controls other than tab and line feed, DEL, and C1 controls", () => {
    expect(cleanText("a\u0000b\u0007c\u001Bd\u001Fe\u007Ff\u0080g\u0085h\u009Fi")).toBe("abcdefghi");
    expect(cleanText("tab\there\nnext line")).toBe("tab\there\nnext line");
  });

  it("removes lone surrogates of either half, and a pair in the wrong order", () => {
    expect(cleanText("a\uD800b\uDC00c\uDC00\uD800d")).toBe("abcd");
  });

  it("removes U+FFFD (an earlier decoding failure) and the noncharacters U+FFFE, U+FFFF and U+FDD0", () => {
    expect(cleanText("a\uFFFDb\uFFFEc\uFFFFd\uFDD0e")).toBe("abcde");
  });

  it("turns CRLF and a lone CR into LF", () => {
    expect(cleanText("one\r\ntwo\rthree\n")).toBe("one\ntwo\nthree\n");
  });

  it("keeps emoji (astral, ZWJ sequences, flags) and right-to-left text with its marks", () => {
    const family = "\u{1F469}\u200D\u{1F469}\u200D\u{1F467}";
    const koreanFlag = "\u{1F1F0}\u{1F1F7}";
    const arabicAndHebrew = "\u0645\u0631\u062D\u0628\u0627 \u200F\u05E9\u05DC\u05D5\u05DD";
    const text = `${family} ${koreanFlag} ${arabicAndHebrew}`;
    expect(cleanText(text)).toBe(text);
  });

  it("keeps the blank lines and indentation that Markdown bodies rely on", () => {
    const body = "# Title\n\n    code block\n\n- item\n";
    expect(cleanText(body)).toBe(body);
  });
});

describe("cleanLine", () => {
  it("folds every run of white space, line breaks, NBSP and ideographic space included, into one space", () => {
    expect(cleanLine("Budget\t\tvote\r\npasses\u00A0\u00A0after\u3000debate")).toBe("Budget vote passes after debate");
  });

  it("trims the ends", () => {
    expect(cleanLine("  \n 국회, 추경 통과 \t ")).toBe("국회, 추경 통과");
  });

  it("cleans before folding: controls vanish and NFC applies", () => {
    expect(cleanLine("Cafe\u0301\u0000 \u0085 open")).toBe("Caf\u00E9 open");
  });

  it("keeps emoji and right-to-left text", () => {
    expect(cleanLine(" \u{1F680} \u05E9\u05DC\u05D5\u05DD ")).toBe("\u{1F680} \u05E9\u05DC\u05D5\u05DD");
  });

  it("gives an empty string for a line of only white space and controls", () => {
    expect(cleanLine(" \t\u0000\n\u00A0")).toBe("");
  });
});
