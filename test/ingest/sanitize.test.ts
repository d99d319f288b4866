/** The HTML sanitizer: no XSS vector survives, what a newsroom writes does, and the output is always well-formed. */
import fc from "../fast-check.ts";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { sanitizeHtml } from "../../src/ingest/sanitize.ts";
import { XSS_VECTORS } from "./xss-vectors.ts";

const BASE = "https://wire.example/2023/09/story.html";
const sanitize = (html: string) => sanitizeHtml(html, BASE);

/** Parses `html` as strict XML inside a wrapper (void elements self-closed); returns the first error or null. */
function xmlError(html: string): string | null {
  const parser = new SaxesParser();
  let error: string | null = null;
  parser.on("error", (e) => {
    error ??= e.message;
  });
  parser.write(`<div>${html.replace(/<(br|hr|img)\b([^>]*)>/g, "<$1$2/>")}</div>`).close();
  return error;
}

/** The start and end tags of `html`, where attributes live; text between them is escaped and inert. */
const markupOf = (html: string) => (html.match(/<[^>]*>/g) ?? []).join("");

const ALLOWED_ATTRIBUTES = new Set([
  "href",
  "title",
  "src",
  "alt",
  "width",
  "height",
  "cite",
  "datetime",
  "colspan",
  "rowspan",
  "start",
  "value",
]);

/**
 * Nothing that can run: no dangerous element, no attribute outside the allowlist (so no handler, style or
 * srcdoc), every URL a web or mail URL, and no script scheme anywhere in the markup. Text is escaped, so a
 * vector's leftovers there (`ipt&gt;alert(1)`) are inert and not checked.
 */
function expectSafe(html: string) {
  expect(html).not.toMatch(/<(script|iframe|svg|math|object|embed|style|form|meta|base|link|noscript|template)\b/i);
  const markup = markupOf(html);
  expect(markup.replace(/"[^"]*"/g, '""')).not.toMatch(/\bon\w+\s*=|style\s*=|srcdoc|expression\(/i);
  expect(markup).not.toMatch(/javascript:|vbscript:|data:/i);
  for (const [, name, value] of markup.matchAll(/\s([^\s=]+)="([^"]*)"/g)) {
    expect(ALLOWED_ATTRIBUTES.has(name!), name).toBe(true);
    if (name === "href" || name === "src" || name === "cite") expect(value).toMatch(/^(https?:\/\/|mailto:)/);
  }
  expect(xmlError(html)).toBeNull();
}

describe("sanitizeHtml against XSS vectors", () => {
  it(`has at least 40 vectors (${XSS_VECTORS.length})`, () => {
    expect(XSS_VECTORS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(XSS_VECTORS)("neutralizes %s", (_name, vector) => {
    expectSafe(sanitize(vector));
  });

  it.each(XSS_VECTORS)("neutralizes %s inside an article", (_name, vector) => {
    expectSafe(sanitize(`<p>Before <em>it</em></p>${vector}<p>After</p>`));
  });

  it("leaves no trace of dropped elements' content", () => {
    expect(sanitize("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>")).toBe("<p>a</p><p>b</p>");
    expect(sanitize("<svg><text>vector</text></svg>text")).toBe("text");
    expect(sanitize('<iframe srcdoc="x">fallback</iframe>after')).toBe("after");
  });

  it("keeps a link's text when its href is dropped", () => {
    expect(sanitize('<a href="javascript:alert(1)">read more</a>')).toBe("read more");
    expect(sanitize('<p><a href="data:text/html,x">read more</a></p>')).toBe("<p>read more</p>");
  });

  it("drops an image whose src is not a web URL", () => {
    expect(sanitize('<p>x<img src="data:image/png;base64,AAAA" alt="a"></p>')).toBe("<p>x</p>");
    expect(sanitize('<p>x<img alt="no source"></p>')).toBe("<p>x</p>");
  });

  it("escapes markup characters in text and attribute values", () => {
    expect(sanitize("<p>a &lt;script&gt; b &amp; c</p>")).toBe("<p>a &lt;script&gt; b &amp; c</p>");
    expect(sanitize('<img src="a.jpg" alt="&quot;><script>">')).toBe(
      '<img src="https://wire.example/2023/09/a.jpg" alt="&quot;&gt;&lt;script&gt;">',
    );
    expect(sanitize("a < b & c > d")).toBe("a &lt; b &amp; c &gt; d");
  });
});

describe("sanitizeHtml keeps what a newsroom writes", () => {
  it("makes links absolute and drops tracking parameters", () => {
    expect(sanitize('<p><a href="../10/next.html?utm_source=rss&amp;id=7&amp;fbclid=abc#top" title="Next">next</a></p>')).toBe(
      '<p><a href="https://wire.example/2023/10/next.html?id=7#top" title="Next">next</a></p>',
    );
    expect(sanitize('<a href="//cdn.example/x">x</a>')).toBe('<a href="https://cdn.example/x">x</a>');
    expect(sanitize('<a href="mailto:desk@wire.example">mail</a>')).toBe('<a href="mailto:desk@wire.example">mail</a>');
  });

  it("makes image and citation URLs absolute and keeps image dimensions", () => {
    expect(
      sanitize(
        '<figure><img src="/img/a.jpg?w=640&utm_source=x" alt="A rally" width="640" height="427" class="wide"><figcaption>A rally</figcaption></figure>',
      ),
    ).toBe(
      '<figure><img src="https://wire.example/img/a.jpg?w=640&amp;utm_source=x" alt="A rally" width="640" height="427"><figcaption>A rally</figcaption></figure>',
    );
    expect(sanitize('<blockquote cite="/source">q</blockquote>')).toBe('<blockquote cite="https://wire.example/source">q</blockquote>');
  });

  it("drops dimensions and numbers that are not numbers", () => {
    expect(sanitize('<img src="a.jpg" width="100%" height="-1">')).toBe('<img src="https://wire.example/2023/09/a.jpg">');
    expect(sanitize('<ol start="3"><li value="x">a</li></ol>')).toBe('<ol start="3"><li>a</li></ol>');
  });

  it("keeps lists, tables and their allowed attributes", () => {
    const list = '<ul><li>one</li><li>two</li></ul><ol start="5"><li value="7">seven</li></ol><dl><dt>term</dt><dd>def</dd></dl>';
    expect(sanitize(list)).toBe(list);
    const table =
      '<table><caption>Votes</caption><thead><tr><th colspan="2">Party</th></tr></thead>' +
      '<tbody><tr><td rowspan="2">A</td><td>12</td></tr></tbody><tfoot><tr><td></td><td>12</td></tr></tfoot></table>';
    expect(sanitize(table)).toBe(table);
  });

  it("keeps inline semantics", () => {
    const inline =
      "<p><strong>s</strong> <b>b</b> <em>e</em> <i>i</i> <u>u</u> <s>s</s> H<sub>2</sub>O x<sup>2</sup> <small>sm</small> <mark>m</mark> " +
      '<q cite="https://wire.example/q">q</q> <cite>c</cite> <code>c</code> <kbd>k</kbd> <abbr title="Korea Standard Time">KST</abbr> ' +
      '<time datetime="2023-09-14T08:17:00+09:00">8:17</time></p><pre><code>a  b\n  c</code></pre><hr><p>x<br>y</p>';
    expect(sanitize(inline)).toBe(inline);
  });

  it("demotes h1 to h2 and keeps h2 to h6", () => {
    expect(sanitize("<h1>Title</h1><h3>Sub</h3><h6>Small</h6>")).toBe("<h2>Title</h2><h3>Sub</h3><h6>Small</h6>");
  });

  it("unwraps span, div and unknown elements, keeping their text apart", () => {
    expect(sanitize('<div class="body"><span style="color:red">red</span> <font face="x">text</font></div>')).toBe("red text");
    expect(sanitize("<div>first</div><div>second</div>")).toBe("first\n\nsecond");
    expect(sanitize("<section><p>a</p></section><article><p>b</p></article>")).toBe("<p>a</p>\n\n<p>b</p>");
  });

  it("keeps a picture's fallback image and drops its sources", () => {
    expect(sanitize('<picture><source srcset="a.webp" type="image/webp"><img src="a.jpg" alt="A"></picture>')).toBe(
      '<img src="https://wire.example/2023/09/a.jpg" alt="A">',
    );
  });

  it("decodes entities once and writes them back escaped", () => {
    expect(sanitize("<p>Caf&eacute; &amp;&nbsp;bar &#x1F600; &lt;tag&gt; &amp;amp;</p>")).toBe(
      "<p>Café &amp;\u00A0bar 😀 &lt;tag&gt; &amp;amp;</p>",
    );
    expect(sanitize("<p>e&#x301;</p>")).toBe("<p>\u00E9</p>");
  });

  it("keeps Korean and Japanese text intact", () => {
    const ko = "<p>서울시는 14일 <strong>새 예산안</strong>을 발표했다.</p>";
    const ja = "<p>東京都は１４日、<em>新しい予算案</em>を発表した。</p>";
    expect(sanitize(ko)).toBe(ko);
    expect(sanitize(ja)).toBe(ja);
  });

  it("removes elements left empty, but not table cells", () => {
    expect(sanitize("<p></p><p> </p><p><br></p><p><span></span></p><p>kept</p>")).toBe("<p>kept</p>");
    expect(sanitize("<p>a<strong></strong>b</p>")).toBe("<p>ab</p>");
    expect(sanitize("<p>a<em> </em>b</p>")).toBe("<p>a b</p>");
    expect(sanitize('<p><a href="https://x.example/"></a></p>')).toBe("");
    expect(sanitize('<p><a href="https://x.example/"><img src="https://x.example/i.png" alt=""></a></p>')).toBe(
      '<p><a href="https://x.example/"><img src="https://x.example/i.png" alt=""></a></p>',
    );
  });

  it("closes what broken input leaves open, in order", () => {
    expect(sanitize("<p>one<p>two")).toBe("<p>one</p><p>two</p>");
    expect(sanitize("<p><b>bold <i>both</b> italic?</i></p>")).toBe("<p><b>bold <i>both</i></b> italic?</p>");
    expect(sanitize("<ul><li>a<li>b</ul>")).toBe("<ul><li>a</li><li>b</li></ul>");
    expect(sanitize('<p>cut <a href="https://x.example/">off')).toBe('<p>cut <a href="https://x.example/">off</a></p>');
    expect(sanitize('<p>x<em class="')).toBe("<p>x</p>");
    expect(sanitize("</p></div></em>text")).toBe("text");
    for (const html of [
      "<p>one<p>two",
      "<table><tr><td>a<td>b<tr><td>c</table>",
      "<b><i><u>x</b></i></u>",
      "<a href=/a><a href=/b>x</a>",
    ]) {
      expect(xmlError(sanitize(html)), html).toBeNull();
    }
  });

  it("ends what a start tag implies even when an unwrapped element stood between", () => {
    expect(sanitize("<table><tr><td>a<div><td>b</div></td></tr></table>")).toBe("<table><tr><td>a\n</td><td>b</td>\n</tr></table>");
    expect(sanitize("<p>a<span><p>b</span></p>")).toBe("<p>a</p><p>b</p>");
    expect(sanitize("<p>a<span><hr>b</span></p>")).toBe("<p>a</p><hr>b");
  });

  it("does not nest a link inside a link", () => {
    expect(sanitize('<a href="https://a.example/"><b><a href="https://b.example/">in</a></b></a>')).toBe(
      '<a href="https://a.example/"><b>in</b></a>',
    );
  });

  it("drops comments, CDATA, processing instructions and doctypes", () => {
    expect(sanitize('<!DOCTYPE html><?xml version="1.0"?><!-- note --><p>a<![CDATA[b]]>c</p>')).toBe("<p>ac</p>");
  });

  it("flattens nesting deeper than 100 levels, keeping the text", () => {
    const deep = `${"<blockquote>".repeat(150)}deep text${"</blockquote>".repeat(150)}`;
    const html = sanitize(deep);
    expect(html).toContain("deep text");
    expect(html.match(/<blockquote>/g)).toHaveLength(100);
    expect(xmlError(html)).toBeNull();
  });

  // Quadratic work here would run past the test's timeout; the time itself is for npm run bench.
  it("sanitizes hostile nesting a hundred thousand deep into well-formed markup", () => {
    for (const hostile of ["<div>".repeat(100_000) + "x", "<b>".repeat(100_000) + "</x>".repeat(100_000), "<span><em>".repeat(50_000)]) {
      expect(xmlError(sanitize(hostile))).toBeNull();
    }
  });

  it("trims white space around the fragment", () => {
    expect(sanitize("\n  <p>a</p>\n\n")).toBe("<p>a</p>");
  });

  it("refuses a base URL that is not absolute, naming it", () => {
    expect(() => sanitizeHtml("<p>a</p>", "/relative")).toThrow(/^sanitize: base URL "\/relative"/);
  });
});

describe("sanitizeHtml on arbitrary input", () => {
  const markupish = fc
    .array(
      fc.oneof(
        fc.string({ unit: "binary" }),
        fc.constantFrom(
          "<",
          ">",
          "</",
          "/>",
          "&",
          "&#",
          "&#x",
          ";",
          '"',
          "'",
          "=",
          "<!--",
          "-->",
          "<![CDATA[",
          "]]>",
          "<?",
          "<!DOCTYPE html>",
          "<p>",
          "</p>",
          "<a href=",
          "javascript:",
          "<img src=x onerror=",
          "<script>",
          "</script>",
          "<svg>",
          "</svg>",
          "<style>",
          "<table>",
          "<tr>",
          "<td>",
          "</td>",
          "<ul>",
          "<li>",
          "<h1>",
          "<br>",
          "<hr>",
          "<pre>",
          "<math>",
          "<noscript>",
          "<iframe>",
          "<textarea>",
          "<plaintext>",
          "<div>",
          "</div>",
          "<span>",
          "<b>",
          "</b>",
          "<dd>",
          "<dt>",
          "\u0000",
        ),
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join(""));

  it("never throws, never lets a script through and always returns balanced markup", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), markupish), (html) => {
        const out = sanitize(html);
        expect(out).not.toMatch(/<script/i);
        // A relative `x javascript:` resolves to an inert https URL, so schemes are checked where they count.
        for (const [, name, value] of markupOf(out).matchAll(/\s([^\s=]+)="([^"]*)"/g)) {
          expect(ALLOWED_ATTRIBUTES.has(name!), name).toBe(true);
          if (name === "href" || name === "src" || name === "cite") expect(value).toMatch(/^(https?:\/\/|mailto:)/);
        }
        expect(xmlError(out)).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it("is idempotent: sanitizing its own output changes nothing", () => {
    fc.assert(
      fc.property(markupish, (html) => {
        const once = sanitize(html);
        expect(sanitize(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});
