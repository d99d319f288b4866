/**
 * Which addresses a URL an upstream chose may reach: plain global unicast only. The special-purpose
 * ranges are ipaddr.js's (the IANA registries); IPv6 forms that carry an IPv4 address are judged by it.
 */
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A connection refused because of the address it would reach; its message is the whole reason. */
export class AddressRefused extends Error {
  override name = "AddressRefused";
}

/** The first AddressRefused in an error's chain of causes (a fetch wraps what its connector threw). */
export function addressRefusedIn(error: unknown): AddressRefused | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof AddressRefused) return e;
  }
  return null;
}

const IPV4_RANGES: Record<string, string> = {
  unspecified: 'a "this network" address (0.0.0.0/8)',
  broadcast: "the broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address",
  loopback: "a loopback address",
  carrierGradeNat: "a shared (carrier-grade NAT) address",
  private: "a private address",
  as112: "an AS112 (DNS sink) address",
  amt: "an AMT relay address",
};

const IPV6_RANGES: Record<string, string> = {
  unspecified: "the unspecified address",
  linkLocal: "a link-local address",
  multicast: "a multicast address",
  loopback: "a loopback address",
  uniqueLocal: "a unique local (private) address",
  deprecatedSiteLocal: "a site-local address",
  discard: "a discard-only address",
  benchmarking: "a benchmarking address",
  amt: "an AMT relay address",
  as112v6: "an AS112 (DNS sink) address",
  deprecatedOrchid: "an ORCHID address",
  orchid2: "an ORCHID address",
  droneRemoteIdProtocolEntityTags: "a drone remote ID address",
  segmentRouting: "a segment routing (SRv6) address",
};

/** ipaddr.js calls these "reserved"; the reason names which. Checked in order. */
const RESERVED: Array<[string, string]> = [
  ["192.0.2.0/24", "a documentation address"],
  ["198.51.100.0/24", "a documentation address"],
  ["203.0.113.0/24", "a documentation address"],
  ["198.18.0.0/15", "a benchmarking address"],
  ["192.0.0.0/24", "an IETF protocol assignment address"],
  ["192.88.99.0/24", "a 6to4 relay anycast address"],
  ["240.0.0.0/4", "a reserved address (240.0.0.0/4)"],
  ["2001:db8::/32", "a documentation address"],
  ["3fff::/20", "a documentation address"],
  ["2001::/23", "an IETF protocol assignment address"],
];
const RESERVED_CIDRS = RESERVED.map(([cidr, reason]) => [ipaddr.parseCIDR(cidr), reason] as const);

const cidr = (text: string) => ipaddr.parseCIDR(text);
const IPV4_MAPPED = cidr("::ffff:0:0/96");
const IPV4_TRANSLATED = cidr("::ffff:0:0:0/96");
const IPV4_COMPATIBLE = cidr("::/96");
const NAT64 = cidr("64:ff9b::/96");
const NAT64_LOCAL = cidr("64:ff9b:1::/48");
const SIX_TO_FOUR = cidr("2002::/16");
const TEREDO = cidr("2001::/32");
const GLOBAL_UNICAST = cidr("2000::/3");

/**
 * Why `text` (an IPv4 or IPv6 address) may not be reached, as a phrase ("a loopback address"); null
 * when it is a plain global unicast address. Text that is not an address is refused too.
 */
export function addressRefusal(text: string): string | null {
  let address: Address;
  try {
    address = ipaddr.parse(text);
  } catch {
    return "not an IP address";
  }
  return address.kind() === "ipv4" ? ipv4Refusal(address as ipaddr.IPv4) : ipv6Refusal(address as ipaddr.IPv6);
}

function ipv4Refusal(address: ipaddr.IPv4): string | null {
  const range = address.range();
  if (range === "unicast") return null;
  if (range === "reserved") return reservedReason(address);
  return IPV4_RANGES[range] ?? `a special-purpose address (${range})`;
}

function ipv6Refusal(address: ipaddr.IPv6): string | null {
  const [, g1, g2, g3, , , g6, g7] = address.parts as [number, number, number, number, number, number, number, number];
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const embedded = (form: string, inner: ipaddr.IPv4) => {
    const reason = ipv4Refusal(inner);
    return reason === null ? null : `${form} ${inner.toString()}, ${reason}`;
  };
  if (address.match(IPV4_MAPPED)) return embedded("an IPv4-mapped form of", v4(g6, g7));
  if (address.match(IPV4_TRANSLATED)) return embedded("an IPv4-translated form of", v4(g6, g7));
  if (address.match(NAT64)) return embedded("a NAT64 form of", v4(g6, g7));
  // A local-use NAT64 prefix may be /48 to /96 long, so where the IPv4 address sits is the network's own choice.
  if (address.match(NAT64_LOCAL)) return "a local-use NAT64 address (64:ff9b:1::/48), which reaches through a translator of this network";
  if (address.match(SIX_TO_FOUR)) return embedded("a 6to4 form of", v4(g1, g2));
  if (address.match(TEREDO)) {
    // RFC 4380: the Teredo server's IPv4 address in bits 32-63, the client's inverted in the last 32.
    return (
      embedded("a Teredo address whose server is", v4(g2, g3)) ?? embedded("a Teredo address whose client is", v4(g6 ^ 0xffff, g7 ^ 0xffff))
    );
  }
  const range = address.range();
  if (range === "unspecified" || range === "loopback") return IPV6_RANGES[range]!;
  // The deprecated IPv4-compatible form ::a.b.c.d; :: and ::1 are taken above.
  if (address.match(IPV4_COMPATIBLE)) return embedded("an IPv4-compatible form of", v4(g6, g7));
  if (range === "reserved") return reservedReason(address);
  if (range !== "unicast") return IPV6_RANGES[range] ?? `a special-purpose address (${range})`;
  return address.match(GLOBAL_UNICAST) ? null : "an address outside IPv6 global unicast space (2000::/3)";
}

function reservedReason(address: Address): string {
  for (const [[network, bits], reason] of RESERVED_CIDRS) {
    if (network.kind() === address.kind() && address.match(network, bits)) return reason;
  }
  return "a reserved address";
}

/**
 * What can be said of a URL's host before any lookup: the reason a literal address or a name for this
 * machine (localhost, *.localhost: RFC 6761) is refused, as "127.0.0.1 is a loopback address"; null
 * for a public address, and for any other name, which only its resolution can judge.
 */
export function hostRefusal(host: string): string | null {
  let name = host.trim().toLowerCase();
  if (name.startsWith("[") && name.endsWith("]")) name = name.slice(1, -1);
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name === "localhost" || name.endsWith(".localhost")) return `${name} is a name for this machine`;
  const literal = canonicalHost(name);
  if (!ipaddr.isValid(literal)) return null;
  const reason = addressRefusal(literal);
  return reason === null ? null : `${literal} is ${reason}`;
}

/** The WHATWG URL parser's reading of a host, so 0x7f.1, 2130706433 and 0177.0.0.1 all become 127.0.0.1. */
function canonicalHost(name: string): string {
  if (name.includes(":")) return name;
  try {
    return new URL(`http://${name}/`).hostname;
  } catch {
    return name;
  }
}
