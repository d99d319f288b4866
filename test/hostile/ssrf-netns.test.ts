/**
 * Server-side request forgery through DNS, with the real resolver: an ingest run (nodeSetup over a
 * site.yaml, as `npm run ingest` builds it) inside a network namespace that has loopback alone and an
 * /etc/hosts of its own (a private mount namespace), where inside.test resolves to 127.0.0.1 and ::1.
 * The work runs in ssrf-netns-child.ts; this file starts it and checks what it saw.
 *
 * It needs unshare(1) with the right to create namespaces (root with CAP_SYS_ADMIN) and ip(8)
 * (iproute2) to bring loopback up. Where those are missing the tests are skipped and say why in their
 * names; with CI=true they fail instead, since CI runs as root and must run them.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/ingest/report.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const CHILD = join(import.meta.dirname, "ssrf-netns-child.ts");
const PORT = 8080;
const HOSTS = "127.0.0.1 localhost\n127.0.0.1 inside.test wire.test\n::1 inside.test wire.test\n";
/** Brings loopback up in the new namespace (it starts down), then puts the test's hosts file over /etc/hosts there alone. */
const ENTER = 'ip link set lo up && mount --bind "$1" /etc/hosts && shift && exec "$@"';

/** Why namespaces cannot be made here, or null when they can. */
function netnsProblem(): string | null {
  if (process.platform !== "linux") return "network namespaces are Linux's";
  try {
    execFileSync("unshare", ["-n", "-m", "sh", "-c", "ip link set lo up"], { stdio: "pipe" });
    return null;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "").trim();
    return `unshare -n -m with ip link (root with CAP_SYS_ADMIN, and iproute2) failed: ${stderr || (error as Error).message}`;
  }
}

const problem = netnsProblem();
const mustRun = process.env.CI === "true";

if (problem !== null && mustRun) {
  describe("SSRF through DNS in a network namespace", () => {
    it("can make a network namespace (CI runs as root, so it must)", () => {
      throw new Error(`ssrf-netns: cannot run: ${problem}`);
    });
  });
}

interface ChildResult {
  report: RunReport;
  hits: string[];
  titles: string[];
  rebind: { status: number | null; error: string | null; lookups: string[]; hits: string[] };
}

describe.skipIf(problem !== null)(`SSRF through DNS in a network namespace${problem ? ` (skipped: ${problem})` : ""}`, () => {
  let dir: string;
  let result: ChildResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ssrf-netns-hosts-"));
    const hosts = join(dir, "hosts");
    writeFileSync(hosts, HOSTS);
    const { stdout } = await promisify(execFile)(
      "unshare",
      ["-n", "-m", "sh", "-c", ENTER, "sh", hosts, process.execPath, "--import", "tsx", CHILD],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }, timeout: 60_000 },
    );
    result = JSON.parse(stdout.trim().split("\n").at(-1)!) as ChildResult;
  }, 90_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const source = (id: string) => result.report.sources.find((s) => s.source === id)!;
  const loopback = "inside\\.test resolves to (127\\.0\\.0\\.1|::1), a loopback address; refused";

  it("fetches the operator's loopback URL, refuses its redirect to a name resolving to loopback, and reports the source failed", () => {
    expect(source("wire").status).toBe("failed");
    expect(source("wire").error).toMatch(
      new RegExp(`^fetch: http://127\\.0\\.0\\.1:${PORT}/feed \\(redirected to http://inside\\.test:${PORT}/secret-a\\): ${loopback}$`),
    );
    expect(result.hits).toContain("/feed");
    expect(result.hits).not.toContain("/secret-a");
  });

  it("fetches a sitemap at a name the operator wrote, and refuses each page it lists on that loopback name", () => {
    expect(source("pages")).toMatchObject({ status: "fetched", new: 0 });
    expect(source("pages").rejected).toHaveLength(1);
    expect(source("pages").rejected[0]!.reason).toMatch(
      new RegExp(
        `^ingest: source "pages": page http://inside\\.test:${PORT}/page-a: fetch: http://inside\\.test:${PORT}/page-a: ${loopback}$`,
      ),
    );
    expect(result.hits).toContain("/sitemap-a.xml");
    expect(result.hits).not.toContain("/page-a");
  });

  it("follows the same redirect and reads the same pages for sources with allow_private: true", () => {
    expect(source("wire-open")).toMatchObject({ status: "fetched", new: 1 });
    expect(source("pages-open")).toMatchObject({ status: "fetched", new: 1, rejected: [] });
    expect(result.hits).toEqual(expect.arrayContaining(["/open-feed", "/secret-b", "/sitemap-b.xml", "/page-b"]));
  });

  it("stores only what the allowed sources read, and the run goes on past the refusals", () => {
    expect(result.report.error).toBeUndefined();
    expect(result.report.sources.map((s) => s.source)).toEqual(["content", "wire", "pages", "wire-open", "pages-open"]);
    expect(result.titles).toEqual(["feed:wire-open: Internal secret-b", "sitemap:pages-open: Intranet /page-b"]);
  });

  it("connects to the address it checked: a resolver that answers public then loopback is asked once", () => {
    // The namespace has no route but loopback, so reaching the checked public address fails at once.
    expect(result.rebind).toMatchObject({ status: null, lookups: ["rebind.test"], hits: [] });
    expect(result.rebind.error).toMatch(/ENETUNREACH 8\.8\.8\.8:8080/);
  });
});
