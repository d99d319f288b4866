/** The 404 every route answers: plain text naming what was not found, quoting little of the request. */
import type { Context } from "hono";

/** A 404 with a short plain-text message naming what was not found. */
export function notFound(c: Context, what: string): Response {
  return c.text(`Not found: ${what}\n`, 404);
}

/** Characters of a request's own text that an error message quotes; the rest is cut, so an answer never echoes a long path back. */
const QUOTED_CHARACTERS = 80;

/** A piece of the request (a path, a segment) as an error message quotes it: at most 80 characters. */
export function quoted(piece: string): string {
  const characters = Array.from(piece);
  return characters.length <= QUOTED_CHARACTERS ? piece : `${characters.slice(0, QUOTED_CHARACTERS).join("")}…`;
}
