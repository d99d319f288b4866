/**
 * The pages under their Content-Security-Policy in headless Chromium, served by the real Node server:
 * an article page (with its image and JSON-LD), a language's and a section's page, the home page, a feed
 * preview (as a browser navigating to the feed gets it) and a 404 load with no policy violation at all,
 * and still render as they should (the stylesheet applied, the image loaded, the JSON-LD readable).
 * Violations are recorded two ways, over the DevTools protocol: a `securitypolicyviolation` listener put in
 * every document before its own content, and the console and log messages. A control page under a policy
 * its markup breaks proves that both ways see violations.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserChecksRun, browserSkipNote, CHROMIUM, chromiumArgs, requireChromium } from "../browser.ts";
import { startNode, type RunningNode } from "../hostile/node-runtime.ts";

const TIMEOUT_MS = 60_000;

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/**
 * Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: commands in on fd 3,
 * answers and events out on fd 4, each message JSON ended by a NUL), one page attached.
 */
class Browser {
  #next = 1;
  readonly #waiting = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  readonly #listeners = new Set<(m: Message) => void>();
  #session = "";

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    let buffered = "";
    (child.stdio[4] as Readable).setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf("\0"); end >= 0; end = buffered.indexOf("\0")) {
        const message = JSON.parse(buffered.slice(0, end)) as Message;
        buffered = buffered.slice(end + 1);
        const waiting = message.id === undefined ? undefined : this.#waiting.get(message.id);
        if (waiting) {
          this.#waiting.delete(message.id!);
          if (message.error) waiting.reject(new Error(message.error.message));
          else waiting.resolve(message);
        } else for (const listener of this.#listeners) listener(message);
      }
    });
  }

  static async launch(): Promise<Browser> {
    const profile = await mkdtemp(join(tmpdir(), "csp-chromium-"));
    const child = spawn(CHROMIUM, [...chromiumArgs(profile), "--remote-debugging-pipe", "about:blank"], {
      stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"],
    });
    const browser = new Browser(child, profile);
    const { targetInfos } = (await browser.send("Target.getTargets")) as { targetInfos: { targetId: string; type: string }[] };
    const page = targetInfos.find((t) => t.type === "page");
    const targetId = page ? page.targetId : ((await browser.send("Target.createTarget", { url: "about:blank" })).targetId as string);
    browser.#session = (await browser.send("Target.attachToTarget", { targetId, flatten: true })).sessionId as string;
    return browser;
  }

  /** Sends a command (to the attached page once there is one) and resolves with its result. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#next++;
    const message = { id, method, params, ...(this.#session ? { sessionId: this.#session } : {}) };
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve: (m) => resolve(m.result ?? {}), reject });
      (this.child.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  on(listener: (m: Message) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Navigates the page to `url` and resolves once its load event has fired. */
  async open(url: string): Promise<void> {
    let stop: () => unknown = () => undefined;
    const loaded = new Promise<void>((resolve) => {
      stop = this.on((m) => m.method === "Page.loadEventFired" && resolve());
    });
    try {
      const { errorText } = (await this.send("Page.navigate", { url })) as { errorText?: string };
      if (errorText) throw new Error(`${url}: ${errorText}`);
      await loaded;
    } finally {
      stop();
    }
  }

  /** The value of `expression` in the page. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = (await this.send("Runtime.evaluate", { expression, returnByValue: true })) as {
      result: { value: T };
      exceptionDetails?: { text: string };
    };
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text}`);
    return result.value;
  }

  async close() {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await exited;
    await rm(this.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

/** Put in every document before its own markup runs: the policy violations it sees. */
const RECORDER = `window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.effectiveDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});`;

/** Whether a console or log message speaks of the Content-Security-Policy. */
const CSP_MESSAGE = /content security policy|content-security-policy/i;

let node: RunningNode;
let browser: Browser;
let control: Server;
let controlUrl: string;
/** Console and log messages about the policy since the last page was opened. */
let messages: string[] = [];

/** Opens `url`; the violations its listener recorded and the messages about the policy. */
async function visit(url: string): Promise<{ violations: string[]; messages: string[] }> {
  messages = [];
  await browser.open(url);
  // Reports and console messages are delivered as tasks after the load; a round trip lets them arrive.
  await browser.evaluate("new Promise((resolve) => setTimeout(resolve, 100))");
  const violations = await browser.evaluate<string[]>("window.__violations ?? ['the recorder did not run']");
  return { violations, messages: [...messages] };
}

beforeAll(async () => {
  requireChromium("csp-browser");
  node = await startNode();
  // A page whose inline style and script its own policy does not allow, and a style it does by hash.
  control = createServer((_request, response) => {
    response.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'none'; style-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    });
    response.end(
      '<!doctype html><html><head><title>control</title><style>body{color:red}</style></head><body><script>document.title="ran"</script>x</body></html>',
    );
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}/`;

  browser = await Browser.launch();
  browser.on((m) => {
    if (m.method === "Runtime.consoleAPICalled") {
      const text = ((m.params!.args as { value?: unknown }[]) ?? []).map((a) => String(a.value)).join(" ");
      if (CSP_MESSAGE.test(text)) messages.push(text);
    }
    if (m.method === "Log.entryAdded") {
      const entry = m.params!.entry as { text: string; source: string };
      if (CSP_MESSAGE.test(entry.text) || entry.source === "security" || entry.source === "violation") messages.push(entry.text);
    }
  });
  for (const domain of ["Page", "Runtime", "Log"]) await browser.send(`${domain}.enable`);
  await browser.send("Page.addScriptToEvaluateOnNewDocument", { source: RECORDER });
}, TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
  await node?.stop();
});

/** The stylesheet's marks on the page: the body's width and font, which Chromium's own defaults do not give. */
const STYLED = `(() => { const s = getComputedStyle(document.body); return { maxWidth: s.maxWidth, font: s.fontFamily }; })()`;

describe.skipIf(!browserChecksRun)(`pages under their Content-Security-Policy in headless Chromium${browserSkipNote}`, () => {
  it(
    "sees both the violations a control page commits, by its listener and in the console",
    async () => {
      const { violations, messages } = await visit(controlUrl);
      expect(
        violations.some((v) => v.startsWith("style-src-elem inline")),
        violations.join("\n"),
      ).toBe(true);
      expect(
        violations.some((v) => v.startsWith("script-src-elem inline")),
        violations.join("\n"),
      ).toBe(true);
      expect(messages.length, "console messages about the policy").toBeGreaterThan(0);
      expect(await browser.evaluate("document.title")).toBe("control");
    },
    TIMEOUT_MS,
  );

  it(
    "renders an article page, its image and its JSON-LD, with no violation",
    async () => {
      const { violations, messages } = await visit(`${node.base}/en/articles/chip-exports-hit-record`);
      expect(violations).toEqual([]);
      expect(messages).toEqual([]);
      expect(await browser.evaluate(STYLED)).toEqual({ maxWidth: "736px", font: expect.stringContaining("system-ui") as unknown });
      const image = await browser.evaluate<{ src: string; width: number }>(
        `(() => { const i = document.querySelector("article figure img"); return { src: i.src, width: i.naturalWidth }; })()`,
      );
      expect(image.src).toMatch(/\/media\/[^/]+\.(jpg|png)$/);
      expect(image.width, "the image loaded").toBeGreaterThan(0);
      const data = await browser.evaluate<Record<string, unknown>>(
        `JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent)`,
      );
      expect(data["@type"]).toBe("NewsArticle");
      expect(await browser.evaluate("document.querySelector('h1').textContent")).toBe(data.headline);
    },
    TIMEOUT_MS,
  );

  it.each([
    ["the home page", "/"],
    ["a language's page", "/ko/"],
    ["a section's page", "/en/business/"],
  ])(
    "renders %s, styled, with no violation",
    async (_name, path) => {
      const { violations, messages } = await visit(`${node.base}${path}`);
      expect(violations).toEqual([]);
      expect(messages).toEqual([]);
      expect(await browser.evaluate(STYLED)).toEqual({ maxWidth: "736px", font: expect.stringContaining("system-ui") as unknown });
      expect(await browser.evaluate("document.querySelectorAll('main a').length")).toBeGreaterThan(5);
    },
    TIMEOUT_MS,
  );

  it(
    "renders a feed's preview, as a browser navigating to the feed gets it, styled, with no violation",
    async () => {
      const { violations, messages } = await visit(`${node.base}/en/rss.xml`);
      expect(violations).toEqual([]);
      expect(messages).toEqual([]);
      expect(await browser.evaluate("document.contentType")).toBe("text/html");
      expect(await browser.evaluate(STYLED)).toEqual({ maxWidth: "736px", font: expect.stringContaining("system-ui") as unknown });
      expect(await browser.evaluate("getComputedStyle(document.querySelector('.subscribe')).backgroundColor")).toBe("rgb(243, 246, 251)");
      const verdictColor = (cls: string) => `getComputedStyle(document.querySelector('.destinations .${cls} .verdict')).color`;
      expect([await browser.evaluate(verdictColor("met")), await browser.evaluate(verdictColor("not-met"))]).toEqual([
        "rgb(20, 108, 46)",
        "rgb(179, 38, 30)",
      ]);
      expect(await browser.evaluate("document.getElementById('feed-address').value")).toBe(`${node.base}/en/rss.xml`);
      expect(await browser.evaluate("document.querySelectorAll('ol.items li').length")).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    "shows a 404 with no violation",
    async () => {
      const { violations, messages } = await visit(`${node.base}/en/articles/no-such-story`);
      expect(violations).toEqual([]);
      expect(messages).toEqual([]);
      expect(await browser.evaluate("document.body.innerText")).toContain('Not found: no article "no-such-story" in en');
    },
    TIMEOUT_MS,
  );
});
