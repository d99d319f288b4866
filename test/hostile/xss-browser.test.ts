/**
 * The proof that matters: in headless Chromium, the article page and the feed preview served over HTTP
 * on 127.0.0.1 run none of the pushed vectors. Every vector would set document.title to "pwned" and
 * mark the top document if it ran; a control page shows each raw vector does run there, so the marks'
 * absence from the served pages means something.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Site } from "../../src/config/site.ts";
import type { ArticleStore } from "../../src/store/store.ts";
import { browserChecksRun, browserSkipNote, requireChromium } from "../browser.ts";
import { CHROMIUM_TIMEOUT_MS, dumpDom, everyArticle, hostileApp, TOKEN } from "./support.ts";

/** What a vector's script does if it runs: no spaces, so it also works as an unquoted attribute value. */
const pwn = (n: number) => `top.document.title='pwned';top.document.documentElement.setAttribute('data-pwned-${n}','')`;

/** Vectors that run in Chromium when served raw, each with PWN where its script goes. */
const BROWSER_VECTORS: [string, string][] = [
  ["a script", "<script>PWN</script>"],
  ["a script in mixed case with odd spacing", '<ScRiPt\ttype="text/javascript"\n>PWN</sCrIpT >'],
  ["an image with onerror", '<img src="/missing.png" onerror="PWN">'],
  ["an image with onerror in upper case, unquoted", "<IMG SRC=/missing.png ONERROR=PWN>"],
  ["an image with slashes between attributes", '<img/src="/missing.png"/onerror=PWN>'],
  [
    "an image whose handler is entity-encoded",
    "<img src=\"/missing.png\" onerror=\"&#116;&#111;&#112;.document.title='pwned';top.document.documentElement.setAttribute('data-pwned-N','')\">",
  ],
  ["an SVG with onload", '<svg onload="PWN"></svg>'],
  ["an iframe with srcdoc", '<iframe srcdoc="<script>PWN</script>"></iframe>'],
  ["an iframe to javascript:", '<iframe src="javascript:PWN"></iframe>'],
  ["a body with onload", '<body onload="PWN">x</body>'],
  ["a video source with onerror", '<video><source src="/missing.mp4" onerror="PWN"></video>'],
  ["an audio element with onerror", '<audio src="/missing.mp3" onerror="PWN"></audio>'],
  ["a noscript breaking out", '<noscript><p title="</noscript><img src=/missing.png onerror=PWN>"></noscript>'],
  ["an xmp breaking out", '<xmp><p title="</xmp><img src=/missing.png onerror=PWN>"></xmp>'],
  ["a noembed breaking out", '<noembed><p title="</noembed><img src=/missing.png onerror=PWN>"></noembed>'],
  ["a textarea breaking out", '<textarea><p title="</textarea><img src=/missing.png onerror=PWN>"></textarea>'],
  ["a title breaking out", '<title><p title="</title><img src=/missing.png onerror=PWN>"></title>'],
  ["a style breaking out", '<style><p title="</style><img src=/missing.png onerror=PWN>"></style>'],
  ["an SVG script", "<svg><script>PWN</script></svg>"],
  ["an object with an HTML document", '<object data="/missing.html" onerror="PWN"></object>'],
];
const vectors = BROWSER_VECTORS.map(([name, vector], n) => ({
  name,
  n,
  html: vector.replaceAll("PWN", pwn(n)).replaceAll("data-pwned-N", `data-pwned-${n}`),
}));

const attribute = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
const html = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>harness</title></head><body>${body}</body></html>`;

let server: Server;
let origin: string;
let app: Hono;
let store: ArticleStore;
let slugs: Map<number, string>;
let allSlug: string;
/** The article pages the harness framed, as the app served them. */
let harnessPages: string[] = [];
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  requireChromium("xss-browser");
  server = createServer((request, response) => {
    seen.push({ url: request.url ?? "", headers: request.headers });
    const url = request.url ?? "";
    // Each raw vector alone in a same-origin frame: the control that they do run here.
    if (url === "/control") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      response.end(html(vectors.map((v) => `<iframe srcdoc="${attribute(html(v.html))}"></iframe>`).join("\n")));
      return;
    }
    // Every article page's markup as the app serves it, each in a frame of its own, beside one (/alive)
    // that runs a script on purpose. The markup goes in by srcdoc, so the frames run under the harness's
    // (absent) policy rather than the page's own Content-Security-Policy and frame-ancestors: what is
    // proven here is that the sanitizer alone stops every vector; the policy is a second wall
    // (test/http/csp-browser.test.ts).
    if (url === "/harness") {
      void Promise.all([...slugs.values()].map(async (slug) => (await app.request(`/en/articles/${slug}`)).text())).then((pages) => {
        harnessPages = pages;
        const frames = pages.map((page) => `<iframe srcdoc="${attribute(page)}"></iframe>`);
        const alive = `<iframe src="/alive"></iframe>`;
        response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
        response.end(html([alive, ...frames].join("\n")));
      });
      return;
    }
    if (url === "/alive") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      response.end(html("<script>top.document.documentElement.setAttribute('data-frames-run','')</script>"));
      return;
    }
    // Requests come from the browser, which starts after the app below is made.
    void listener(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let site: Site;
  ({ app, store, site } = hostileApp({ siteUrl: origin }));
  const listener = getRequestListener(app.fetch);

  const item = (id: string, title: string, body: string) => ({
    id,
    title,
    content_html: `<p>Before.</p>${body}<p>After.</p>`,
    summary: `Summary ${body}`,
    language: "en",
    section: "society",
    date_published: "2026-11-19T09:00:00+09:00",
    authors: [{ name: "Desk" }],
  });
  const response = await app.request("/api/articles", {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify([
      ...vectors.map((v) => item(`browser-${v.n}`, `Browser vector ${v.n}`, v.html)),
      item("browser-all", "Every browser vector", vectors.map((v) => v.html).join("\n")),
    ]),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const articles = await everyArticle(store, site);
  slugs = new Map(
    articles.filter((a) => a.title.startsWith("Browser vector ")).map((a) => [Number(a.title.slice("Browser vector ".length)), a.slug]),
  );
  allSlug = articles.find((a) => a.title === "Every browser vector")!.slug;
  expect(slugs.size).toBe(vectors.length);
}, CHROMIUM_TIMEOUT_MS);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await store?.close();
});

/** The vectors whose mark is on the dumped document's root element (the vectors' text may show elsewhere, escaped). */
const marked = (dom: string) => [...(/<html\b[^>]*>/.exec(dom)?.[0].matchAll(/\sdata-pwned-(\d+)/g) ?? [])].map((m) => Number(m[1]));

describe.skipIf(!browserChecksRun)(`headless Chromium${browserSkipNote}`, () => {
  it(
    "runs every raw vector on the control page, so their absence elsewhere is meaningful",
    async () => {
      const dom = await dumpDom(`${origin}/control`);
      const missing = vectors.filter((v) => !marked(dom).includes(v.n)).map((v) => v.name);
      expect(missing, "vectors that do not run even raw").toEqual([]);
      expect(dom).toContain("<title>pwned</title>");
    },
    CHROMIUM_TIMEOUT_MS,
  );

  it(
    "runs no vector in any article page's markup, each framed on its own without the page's policy",
    async () => {
      const dom = await dumpDom(`${origin}/harness`);
      expect(/<html\b[^>]*\sdata-frames-run/.test(dom), "the harness's own frame script should run").toBe(true);
      expect(marked(dom)).toEqual([]);
      expect(dom).toContain("<title>harness</title>");
      expect(harnessPages).toHaveLength(vectors.length);
      for (const v of vectors) expect(harnessPages.some((page) => page.includes(`<h1>Browser vector ${v.n}</h1>`), v.name)).toBe(true);
    },
    CHROMIUM_TIMEOUT_MS,
  );

  it(
    "runs no vector on the article page holding all of them",
    async () => {
      const dom = await dumpDom(`${origin}/en/articles/${allSlug}`);
      expect(dom).toContain("<h1>Every browser vector</h1>");
      expect(marked(dom)).toEqual([]);
      expect(dom).not.toContain("<title>pwned</title>");
    },
    CHROMIUM_TIMEOUT_MS,
  );

  it.each(["/en/rss.xml", "/en/feed.json"])(
    "runs no vector on the preview of %s, opened as a person opens it",
    async (path) => {
      const dom = await dumpDom(`${origin}${path}`);
      const request = seen.findLast((r) => r.url === path);
      expect(request?.headers["sec-fetch-mode"]).toBe("navigate");
      expect(request?.headers["sec-fetch-dest"]).toBe("document");
      expect(dom).toContain('id="feed-address"');
      expect(dom).toContain("Browser vector ");
      expect(marked(dom)).toEqual([]);
      expect(dom).not.toContain("<title>pwned</title>");
    },
    CHROMIUM_TIMEOUT_MS,
  );
});
