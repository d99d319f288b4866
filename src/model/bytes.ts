/** Bytes that arrived in pieces, put back together. */

/** The chunks of a body read as a stream, as one array of `size` bytes (their total length, counted while reading). */
export function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
