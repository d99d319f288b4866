/** Markdown bodies to HTML: what a newsroom writes renders, and nothing it pastes can run in a reader. */
import { describe, expect, it } from "vitest";
import { absoluteUrl, markdownToHtml } from "../../src/ingest/markdown.ts";

const BASE = "https://news.example";
const render = (markdown: string) => markdownToHtml(markdown, BASE);

describe("markdownToHtml", () => {
  describe("raw HTML", () => {
    it.each([
      ["a script block", "<script>alert(1)</script>"],
      ["a script inside a paragraph", "Breaking: <script>alert(1)</script> news"],
      ["a script inside a div block", "<div>\n<script>alert(1)</script>\n</div>"],
      ["an image with an event handler", '<img src="x" onerror="alert(1)">'],
      ["an iframe", '<iframe src="https://evil.example"></iframe>'],
      ["markup inside link text", "[<img src=x onerror=alert(1)>](https://a.example)"],
      ["markup inside a table cell", "| a |\n|---|\n| <script>alert(1)</script> |"],
    ])("shows %s as text", (_case, markdown) => {
      const html = render(markdown);
      expect(html).not.toMatch(/<(script|img|iframe|div)\b/i);
      expect(html).toContain("&lt;");
    });

    it("keeps the pasted markup readable as escaped text", () => {
      expect(render("Breaking: <script>alert(1)</script> news")).toBe("<p>Breaking: &lt;script&gt;alert(1)&lt;/script&gt; news</p>");
    });

    it("escapes markup inside code as well", () => {
      expect(render("```\n<script>x</script>\n```")).toBe("<pre><code>&lt;script&gt;x&lt;/script&gt;\n</code></pre>");
      expect(render("Use `a < b && c`")).toBe("<p>Use <code>a &lt; b &amp;&amp; c</code></p>");
    });
  });

  describe("links", () => {
    it.each([
      ["a javascript: link", "[click me](javascript:alert(1))"],
      ["a javascript: link in mixed case", "[click me](JaVaScRiPt:alert(1))"],
      // URL parsers drop tabs, so java<TAB>script: is javascript: to a browser.
      ["a javascript: link hidden by a tab", "[click me](<java\tscript:alert(1)>)"],
      ["a javascript: link padded with spaces", "[click me]( javascript:alert(1) )"],
      ["a data: link", "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
      ["a vbscript: link", "[click me](vbscript:msgbox(1))"],
      ["a javascript: reference link", "[click me][ref]\n\n[ref]: javascript:alert(1)"],
    ])("turns %s into its plain text", (_case, markdown) => {
      expect(render(markdown)).toBe("<p>click me</p>");
    });

    it("turns a javascript: autolink into plain text", () => {
      expect(render("<javascript:alert(1)>")).toBe("<p>javascript:alert(1)</p>");
    });

    it("turns data: and javascript: images into their alt text", () => {
      expect(render("![a chart](data:image/png;base64,iVBORw0KGgo=)")).toBe("<p>a chart</p>");
      expect(render("![a chart](javascript:alert(1))")).toBe("<p>a chart</p>");
    });

    it("makes root-relative, relative and protocol-relative links absolute against the base", () => {
      expect(render("[earlier report](/ko/articles/gukhoe-chugyeong-tonggwa)")).toBe(
        '<p><a href="https://news.example/ko/articles/gukhoe-chugyeong-tonggwa">earlier report</a></p>',
      );
      expect(render("[media kit](media/kit.pdf)")).toBe('<p><a href="https://news.example/media/kit.pdf">media kit</a></p>');
      expect(render("[mirror](//mirror.example/a)")).toBe('<p><a href="https://mirror.example/a">mirror</a></p>');
    });

    it("makes relative images absolute", () => {
      expect(render("![Busan port](/media/busan-port.jpg)")).toBe(
        '<p><img src="https://news.example/media/busan-port.jpg" alt="Busan port"></p>',
      );
    });

    it("keeps http, https and mailto links, escaping & in the href", () => {
      expect(render("[trade data](https://www.example.com/trade?year=2026&month=09)")).toBe(
        '<p><a href="https://www.example.com/trade?year=2026&amp;month=09">trade data</a></p>',
      );
      expect(render("[the desk](mailto:desk@hanbit.example)")).toBe('<p><a href="mailto:desk@hanbit.example">the desk</a></p>');
    });

    it("escapes a link title so it cannot close the attribute", () => {
      expect(render('[t](https://a.example "say \\"hi\\" <b>")')).toBe(
        '<p><a href="https://a.example/" title="say &quot;hi&quot; &lt;b&gt;">t</a></p>',
      );
    });
  });

  describe("text", () => {
    it("escapes & and < and > in running text", () => {
      expect(render("Tom & Jerry: 3 < 4 > 2")).toBe("<p>Tom &amp; Jerry: 3 &lt; 4 &gt; 2</p>");
    });

    it("renders headings, lists, emphasis and quotes", () => {
      expect(render("## Memory leads the way\n\n- DRAM\n- HBM\n\n1. first\n2. second\n\n*rising* and **record**\n\n> quoted")).toBe(
        [
          "<h2>Memory leads the way</h2>",
          "<ul>\n<li>DRAM</li>\n<li>HBM</li>\n</ul>",
          "<ol>\n<li>first</li>\n<li>second</li>\n</ol>",
          "<p><em>rising</em> and <strong>record</strong></p>",
          "<blockquote>\n<p>quoted</p>\n</blockquote>",
        ].join("\n"),
      );
    });

    it("keeps Korean, Japanese and Chinese text and emoji as they are", () => {
      expect(render("국회, **추경** 통과 · 国会 · 韩光日报 🚀")).toBe("<p>국회, <strong>추경</strong> 통과 · 国会 · 韩光日报 🚀</p>");
    });

    it("gives an empty string for an empty body", () => {
      expect(render("")).toBe("");
    });
  });
});

describe("absoluteUrl", () => {
  it("resolves against the base and refuses other schemes and broken URLs", () => {
    expect(absoluteUrl("/en/articles/x", BASE)).toBe("https://news.example/en/articles/x");
    expect(absoluteUrl("ftp://files.example/a", BASE)).toBeNull();
    expect(absoluteUrl("javascript:alert(1)", BASE)).toBeNull();
    expect(absoluteUrl("https://[broken", BASE)).toBeNull();
  });
});
