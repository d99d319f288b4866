/** The layer check catches what it exists for: an import up the layers, between siblings, into an unknown folder, and a cycle. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkLayers } from "../../src/cli/check-layers.ts";

let srcDir = "";

/** A throwaway src/ holding the given files (path -> source text). */
function tree(files: Record<string, string>): string {
  srcDir = mkdtempSync(join(tmpdir(), "layers-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(srcDir, path)), { recursive: true });
    writeFileSync(join(srcDir, path), text);
  }
  return srcDir;
}

afterEach(() => rmSync(srcDir, { recursive: true, force: true }));

const lawful = {
  "config/site.ts": 'import { canonicalLanguageTag } from "../model/lang.ts";\n',
  "model/lang.ts": "export const canonicalLanguageTag = (tag: string) => tag;\n",
  "store/store.ts": 'import type { Article } from "../model/article.ts";\n',
  "model/article.ts": "export type Article = { id: string };\n",
  "feeds/build.ts": 'import type { Article } from "../model/article.ts";\nimport "../store/store.ts";\n',
  "ingest/run.ts": 'import "../feeds/build.ts";\nimport "node:fs";\nimport pkg from "../../package.json";\n',
  "pages/page.ts": 'import "../feeds/build.ts";\n',
  "http/app.ts": 'import "../ingest/run.ts";\nimport "../pages/page.ts";\n',
  "runtime/node.ts": 'import "../http/app.ts";\n',
  "cli/ingest.ts": 'import "../runtime/node.ts";\nimport "../config/site.ts";\n',
};

describe("checkLayers", () => {
  it("passes a tree whose imports all run down the layers", () => {
    expect(checkLayers(tree(lawful))).toEqual([]);
  });

  it("catches an import up the layers, a type-only one included", () => {
    const problems = checkLayers(tree({ ...lawful, "store/store.ts": 'import type { FeedModel } from "../feeds/build.ts";\n' }));
    expect(problems).toContain("layers: src/store/store.ts imports src/feeds/build.ts, but feeds is above store");
  });

  it("catches an import from model up into config", () => {
    const problems = checkLayers(tree({ ...lawful, "model/lang.ts": 'export type { Site } from "../config/site.ts";\n' }));
    expect(problems).toContain("layers: src/model/lang.ts imports src/config/site.ts, but config is above model");
  });

  it("catches an import between the sibling layers ingest and pages, a dynamic one included", () => {
    const problems = checkLayers(tree({ ...lawful, "pages/page.ts": 'export type Run = typeof import("../ingest/run.ts");\n' }));
    expect(problems).toEqual(["layers: src/pages/page.ts imports src/ingest/run.ts, but pages and ingest are siblings"]);
  });

  it("catches an import cycle inside one folder", () => {
    const problems = checkLayers(
      tree({ ...lawful, "model/lang.ts": 'import "./article.ts";\n', "model/article.ts": 'export { x } from "./lang.ts";\n' }),
    );
    expect(problems).toEqual(["layers: import cycle src/model/article.ts -> src/model/lang.ts -> src/model/article.ts"]);
  });

  it("names a folder or top-level file that no layer holds", () => {
    const problems = checkLayers(tree({ ...lawful, "util/strings.ts": "", "helpers.ts": "", "config.ts": "" }));
    expect(problems.sort()).toEqual([
      "layers: src/config.ts is in no layer; add it to the layers in src/cli/check-layers.ts",
      "layers: src/helpers.ts is in no layer; add it to the layers in src/cli/check-layers.ts",
      "layers: src/util is in no layer; add it to the layers in src/cli/check-layers.ts",
    ]);
  });
});
