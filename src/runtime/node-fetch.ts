/**
 * The Node fetch for URLs an upstream chose (redirects, sitemap pages): undici with a connector that
 * connects to public addresses only. A name is resolved once, every address it has is judged, and the
 * socket is opened to the address judged (net and tls take it from this lookup, and ask nothing else),
 * so a DNS answer that changes between the check and the connection (rebinding) cannot slip through.
 * An address literal, which net does not look up, is judged before connecting.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { AddressRefused, addressRefusal, hostRefusal } from "../ingest/fetch/addresses.ts";

/** dns.lookup's `all: true` form: every address of a name. */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/**
 * A `lookup` for net.connect and tls.connect that refuses a name any of whose addresses is not public,
 * naming the address and its range. Answers in the form it is asked for: every address (`all: true`,
 * as net asks when it tries address families in turn) or the first one.
 */
export function checkedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      for (const { address } of addresses) {
        const reason = addressRefusal(address);
        if (reason !== null) return callback(new AddressRefused(`${hostname} resolves to ${address}, ${reason}; refused`), "");
      }
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`lookup: ${hostname} has no address`), { code: "ENOTFOUND" }), "");
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** undici's connector, behind the literal check and with the checked lookup. */
function checkedConnector(resolve: Resolver | undefined): buildConnector.connector {
  const connect = buildConnector({ lookup: checkedLookup(resolve) });
  return (options, callback) => {
    const refusal = hostRefusal(options.hostname);
    if (refusal !== null) return callback(new AddressRefused(`${refusal}; refused`), null);
    connect(options, callback);
  };
}

/**
 * A fetch whose connections reach public addresses only (`resolve` is dns.lookup unless a test says
 * otherwise). A refused connection rejects with a TypeError whose cause is an AddressRefused.
 */
export function checkedFetch(resolve?: Resolver): typeof fetch {
  const dispatcher = new Agent({ connect: checkedConnector(resolve) });
  return (input, init) => {
    if (input instanceof Request) return Promise.reject(new TypeError("checked fetch: give a URL, not a Request"));
    const url = input instanceof URL ? input.href : input;
    return undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  };
}
