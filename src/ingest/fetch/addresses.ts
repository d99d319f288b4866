/** Which hosts are private: loopback, LAN, link-local and the like, judged from the address literal alone. */

/**
 * True for a host that is a loopback, private, link-local, shared (CGNAT) or unspecified address
 * literal (RFC 1918, RFC 6598, RFC 3927, RFC 4193, RFC 4291), including IPv4 carried in IPv6, and
 * for the names localhost and *.localhost (RFC 6761). Other names are not resolved: false.
 */
export function isPrivateAddress(host: string): boolean {
  let name = host.trim().toLowerCase();
  if (name.startsWith("[") && name.endsWith("]")) name = name.slice(1, -1);
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (name.includes(":")) {
    const groups = parseIPv6(name);
    return groups !== null && isPrivateIPv6(groups);
  }
  const octets = parseIPv4(canonicalIPv4(name));
  return octets !== null && isPrivateIPv4(octets);
}

/** The WHATWG URL parser's reading of a host, so 0x7f.1, 2130706433 and 0177.0.0.1 all become 127.0.0.1. */
function canonicalIPv4(name: string): string {
  try {
    return new URL(`http://${name}/`).hostname;
  } catch {
    return name;
  }
}

function parseIPv4(text: string): number[] | null {
  const octets = text.split(".");
  if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) return null;
  return octets.map(Number);
}

function isPrivateIPv4([a, b]: number[]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b! >= 64 && b! <= 127)
  );
}

/** Eight 16-bit groups, or null; accepts `::` shortening, a dotted IPv4 tail and a zone id. */
function parseIPv6(text: string): number[] | null {
  let address = text.split("%")[0]!;
  const lastColon = address.lastIndexOf(":");
  const tail = address.slice(lastColon + 1);
  if (tail.includes(".")) {
    const octets = parseIPv4(tail);
    if (octets === null) return null;
    const [a, b, c, d] = octets as [number, number, number, number];
    address = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...head, ...rest].some(Number.isNaN)) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - rest.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...rest];
}

function isPrivateIPv6(groups: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const embeddedIPv4 = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // ::/96 covers ::, ::1 and the deprecated IPv4-compatible form; ::ffff:0:0/96 is IPv4-mapped.
  if (upperZero && (g5 === 0 || g5 === 0xffff)) return isPrivateIPv4(embeddedIPv4) || (g5 === 0 && g6 === 0);
  // 64:ff9b::/96 (RFC 6052) is a NAT64 gateway's way of reaching the IPv4 address it embeds.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPrivateIPv4(embeddedIPv4);
  return (
    (g0 & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (g0 & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (g0 & 0xffc0) === 0xfec0 // fec0::/10 site-local, deprecated but still routed inside some networks
  );
}
