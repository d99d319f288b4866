/** A fast, stable, non-cryptographic hash for change detection and short suffixes (same on every runtime). */

/** 64-bit FNV-1a over UTF-16 code units, as 16 hex digits (two 32-bit lanes with different offsets). */
export function fnv64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x01000193) ^ (a >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
