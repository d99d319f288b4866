/** The layer law of src/ as a check: imports (types included) only run down the layers, siblings stay apart, no cycles. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/**
 * Lowest first. A module may import from its own folder and from any layer listed before its own;
 * folders that share a layer are siblings and may not import each other. config sits just above
 * model because it checks language tags and time zones with model's helpers.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["model"],
  ["config"],
  ["store"],
  ["feeds"],
  ["ingest", "pages"],
  ["http"],
  ["runtime"],
  ["cli"],
];

/** Each folder directly under src/ and its layer's index. */
const RANK = new Map(LAYERS.flatMap((folders, rank) => folders.map((folder) => [folder, rank] as const)));

/** The folder of src/ that a path belongs to (a file directly in src/ is its own unit, and in no layer). */
function unitOf(srcDir: string, file: string): string {
  const first = relative(srcDir, file).split(sep)[0] ?? "";
  return first.replace(/\.ts$/, "");
}

/** Every TypeScript file under a folder, at any depth. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(c|m)?tsx?$/.test(name) ? [path] : [];
  });
}

/** Every relative import of a file that lands inside src/, whether a value, a type, a re-export or a dynamic import. */
function importsInSrc(srcDir: string, file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith("./") || specifier.startsWith("../"))
    .map((specifier) => resolve(dirname(file), specifier))
    .filter((target) => !relative(srcDir, target).startsWith(".."));
}

/** One import cycle through each group of files that reach each other (Tarjan's strongly connected components). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) visit(next);
      if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, low.get(next)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const members = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      members.add(member);
    } while (member !== node);
    const selfImport = graph.get(node)!.includes(node);
    if (members.size > 1 || selfImport) found.push(selfImport ? [node, node] : loopThrough(node, members, graph));
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** The shortest path from a file back to itself inside its group, as the list of files it passes. */
function loopThrough(start: string, members: Set<string>, graph: Map<string, string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at]!;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next) || cameFrom.has(next)) continue;
      cameFrom.set(next, node);
      if (next === start) {
        const path = [start];
        for (let step = node; step !== start; step = cameFrom.get(step)!) path.unshift(step);
        return [start, ...path];
      }
      queue.push(next);
    }
  }
  return [start];
}

/** Every breach of the layer law under `srcDir`, one readable line each; empty when the tree keeps it. */
export function checkLayers(srcDir: string): string[] {
  const problems: string[] = [];
  const files = sourceFiles(srcDir);
  const graph = new Map(files.map((file) => [file, importsInSrc(srcDir, file)]));
  const show = (file: string): string => ["src", ...relative(srcDir, file).split(sep)].join("/");
  for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
    const known = entry.isDirectory() && RANK.has(entry.name);
    if (!known) problems.push(`layers: src/${entry.name} is in no layer; add it to the layers in src/cli/check-layers.ts`);
  }
  for (const [file, targets] of graph) {
    const from = unitOf(srcDir, file);
    for (const target of targets) {
      const to = unitOf(srcDir, target);
      const fromRank = RANK.get(from);
      const toRank = RANK.get(to);
      if (from === to || fromRank === undefined || toRank === undefined || toRank < fromRank) continue;
      const why = toRank === fromRank ? `${from} and ${to} are siblings` : `${to} is above ${from}`;
      problems.push(`layers: ${show(file)} imports ${show(target)}, but ${why}`);
    }
  }
  for (const loop of cycles(graph)) problems.push(`layers: import cycle ${loop.map(show).join(" -> ")}`);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkLayers(resolve(dirname(fileURLToPath(import.meta.url)), ".."));
  for (const problem of problems) console.error(problem);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
