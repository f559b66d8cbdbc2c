import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * SSRF guard for partner-supplied webhook URLs: which IP addresses a webhook may reach.
 *
 * Policy: only public unicast addresses, unless the operator sets `allowPrivateNetworks`
 * (self-hosted installs whose partners listen on the LAN). Cloud metadata endpoints stay
 * forbidden even then: no receiver lives there and they hand out credentials.
 */

export type AddressCategory =
  | 'cloud-metadata'
  | 'unspecified'
  | 'this-network'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

export type AddressClassification =
  | { public: true }
  | { public: false; category: AddressCategory; range: string };

export type AddressPolicy = { allowPrivateNetworks: boolean };

/** Resolves a host name to every address it has (the shape of `dns.lookup` with `all: true`). */
export type HostLookup = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true });

type Family = 'ipv4' | 'ipv6';
type SpecialRange = { range: string; category: AddressCategory; list: BlockList };

function specialRange(range: string, category: AddressCategory): SpecialRange {
  const [network, prefix] = range.split('/') as [string, string];
  const family: Family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  list.addSubnet(network, Number(prefix), family);
  return { range, category, list };
}

// First match wins, so specific entries (metadata, broadcast, unspecified) precede their
// enclosing ranges. Sources: IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890).
const IPV4_RANGES: readonly SpecialRange[] = [
  specialRange('169.254.169.254/32', 'cloud-metadata'), // AWS, GCP, Azure, OCI, OpenStack IMDS
  specialRange('169.254.170.2/32', 'cloud-metadata'), // AWS ECS task metadata
  specialRange('169.254.170.23/32', 'cloud-metadata'), // AWS EKS Pod Identity agent
  specialRange('100.100.100.200/32', 'cloud-metadata'), // Alibaba Cloud
  specialRange('168.63.129.16/32', 'cloud-metadata'), // Azure WireServer (a public-looking address)
  specialRange('192.0.0.192/32', 'cloud-metadata'), // Oracle Cloud (legacy)
  specialRange('0.0.0.0/32', 'unspecified'),
  specialRange('0.0.0.0/8', 'this-network'),
  specialRange('10.0.0.0/8', 'private'),
  specialRange('100.64.0.0/10', 'cgnat'),
  specialRange('127.0.0.0/8', 'loopback'),
  specialRange('169.254.0.0/16', 'link-local'),
  specialRange('172.16.0.0/12', 'private'),
  specialRange('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  specialRange('192.0.2.0/24', 'documentation'),
  specialRange('192.88.99.0/24', 'reserved'), // deprecated 6to4 relay anycast
  specialRange('192.168.0.0/16', 'private'),
  specialRange('198.18.0.0/15', 'benchmarking'),
  specialRange('198.51.100.0/24', 'documentation'),
  specialRange('203.0.113.0/24', 'documentation'),
  specialRange('224.0.0.0/4', 'multicast'),
  specialRange('255.255.255.255/32', 'broadcast'),
  specialRange('240.0.0.0/4', 'reserved'),
];

// IPv6 is an allow-list: only global unicast (2000::/3) minus the special blocks inside it,
// plus the two prefixes that carry an IPv4 address the network delivers to (checked as IPv4).
const IPV6_RANGES: readonly SpecialRange[] = [
  specialRange('fd00:ec2::254/128', 'cloud-metadata'), // AWS IMDS over IPv6
  specialRange('fd00:ec2::23/128', 'cloud-metadata'), // AWS EKS Pod Identity agent
  specialRange('::/128', 'unspecified'),
  specialRange('::1/128', 'loopback'),
  specialRange('fe80::/10', 'link-local'),
  specialRange('fc00::/7', 'unique-local'),
  specialRange('ff00::/8', 'multicast'),
  specialRange('2001:db8::/32', 'documentation'),
  specialRange('3fff::/20', 'documentation'),
  specialRange('2001::/23', 'reserved'), // IETF protocol assignments, including Teredo
  specialRange('2002::/16', 'reserved'), // 6to4 (deprecated, RFC 7526): embeds arbitrary IPv4
];
const IPV4_EMBEDDING: readonly SpecialRange[] = [
  specialRange('::ffff:0:0/96', 'reserved'), // IPv4-mapped
  specialRange('64:ff9b::/96', 'reserved'), // NAT64 well-known prefix (RFC 6052)
];
const GLOBAL_UNICAST = specialRange('2000::/3', 'reserved').list;

/** Category of an IP address literal (v4 or v6, with or without a zone id); throws TypeError if it is not one. */
export function classifyAddress(address: string): AddressClassification {
  const family = isIP(address);
  if (family === 4) return classifyIPv4(address);
  if (family === 6) return classifyIPv6(address);
  throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
}

/** Whether a webhook must not connect to `address` under `policy`. Non-IP input is forbidden. */
export function isForbiddenAddress(address: string, policy: AddressPolicy): boolean {
  return forbiddenRange(address, policy) !== undefined;
}

function forbiddenRange(address: string, policy: AddressPolicy): { category: AddressCategory; range: string } | undefined {
  if (isIP(address) === 0) return { category: 'reserved', range: 'not an IP address' };
  const classification = classifyAddress(address);
  if (classification.public) return undefined;
  return !policy.allowPrivateNetworks || classification.category === 'cloud-metadata' ? classification : undefined;
}

function classifyIPv4(address: string): AddressClassification {
  const match = IPV4_RANGES.find((entry) => entry.list.check(address, 'ipv4'));
  return match ? { public: false, category: match.category, range: match.range } : { public: true };
}

function classifyIPv6(addressWithZone: string): AddressClassification {
  // A zone id only names an interface; the URL parser in lastIPv4 rejects it, so drop it.
  const address = addressWithZone.split('%')[0]!;
  const embedding = IPV4_EMBEDDING.find((entry) => entry.list.check(address, 'ipv6'));
  if (embedding) {
    const embedded = classifyIPv4(lastIPv4(address));
    return embedded.public
      ? embedded
      : { ...embedded, range: `${embedding.range} embedding ${embedded.range}` };
  }
  const match = IPV6_RANGES.find((entry) => entry.list.check(address, 'ipv6'));
  if (match) return { public: false, category: match.category, range: match.range };
  if (!GLOBAL_UNICAST.check(address, 'ipv6')) {
    return { public: false, category: 'reserved', range: 'outside 2000::/3 (global unicast)' };
  }
  return { public: true };
}

/** The IPv4 address in the low 32 bits of an IPv6 address. */
function lastIPv4(ipv6: string): string {
  // The URL parser canonicalises (dotted tails become hex groups), leaving only '::' to expand.
  const canonical = new URL(`http://[${ipv6}]/`).hostname.slice(1, -1);
  const [head = '', tail = ''] = canonical.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = canonical.includes('::')
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  const high = parseInt(groups[6]!, 16);
  const low = parseInt(groups[7]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

export type WebhookUrlProblemCode = 'URL_MALFORMED' | 'URL_SCHEME_UNSUPPORTED' | 'URL_HAS_CREDENTIALS';

export type ParsedWebhookUrl =
  | { ok: true; url: URL; host: string }
  | { ok: false; code: WebhookUrlProblemCode; message: string };

/** Parses a webhook URL: http(s) only, no user info. `host` is the hostname without IPv6 brackets. */
export function parseWebhookUrl(input: string): ParsedWebhookUrl {
  if (!URL.canParse(input)) return { ok: false, code: 'URL_MALFORMED', message: 'not an absolute URL' };
  const url = new URL(input);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, code: 'URL_SCHEME_UNSUPPORTED', message: `scheme ${url.protocol} is not http: or https:` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, code: 'URL_HAS_CREDENTIALS', message: 'credentials in the URL are not allowed' };
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { ok: true, url, host };
}

export type LookupAddress = { address: string; family: 4 | 6 };

export type HostVetting =
  | { ok: true; addresses: LookupAddress[] }
  /** `address` is for logs: echoing resolved addresses to partners would map internal DNS. */
  | { ok: false; code: 'ADDRESS_FORBIDDEN'; message: string; address: string }
  | { ok: false; code: 'HOST_UNRESOLVABLE'; message: string };

/**
 * Every address `host` stands for, all of them allowed under `policy`: an IP literal is
 * checked as is (no lookup); a name is resolved with `lookup` and refused if ANY address is
 * forbidden (a mixed answer is how DNS-rebinding attacks look).
 */
export async function resolveAllowedAddresses(
  host: string,
  options: AddressPolicy & { lookup: HostLookup },
): Promise<HostVetting> {
  const literalFamily = isIP(host);
  let addresses: LookupAddress[];
  if (literalFamily !== 0) {
    addresses = [{ address: host, family: literalFamily === 4 ? 4 : 6 }];
  } else {
    try {
      const answers = await options.lookup(host);
      // The family field is not trusted: isIP decides, and anything that is not an IP is refused below.
      addresses = answers.map(({ address }) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
    } catch (error) {
      return { ok: false, code: 'HOST_UNRESOLVABLE', message: `cannot resolve ${host}: ${errorText(error)}` };
    }
    if (addresses.length === 0) {
      return { ok: false, code: 'HOST_UNRESOLVABLE', message: `${host} has no addresses` };
    }
  }
  for (const { address } of addresses) {
    const forbidden = forbiddenRange(address, options);
    if (forbidden) {
      const message = literalFamily !== 0
        ? `${host} is in ${forbidden.range} (${forbidden.category})`
        : `${host} resolves to a forbidden address`;
      return { ok: false, code: 'ADDRESS_FORBIDDEN', message, address };
    }
  }
  return { ok: true, addresses };
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}

export type WebhookUrlCheck =
  | { ok: true; url: string; addresses: string[] }
  | { ok: false; code: WebhookUrlProblemCode | 'ADDRESS_FORBIDDEN' | 'HOST_UNRESOLVABLE'; message: string };

/**
 * Configuration-time check of a partner's webhook URL. Delivery checks again at connect
 * time (DNS can change), so passing here is necessary, not sufficient.
 */
export async function checkWebhookUrl(
  url: string,
  options: AddressPolicy & { lookup?: HostLookup },
): Promise<WebhookUrlCheck> {
  const parsed = parseWebhookUrl(url);
  if (!parsed.ok) return parsed;
  const vetting = await resolveAllowedAddresses(parsed.host, {
    allowPrivateNetworks: options.allowPrivateNetworks,
    lookup: options.lookup ?? systemLookup,
  });
  if (!vetting.ok) return { ok: false, code: vetting.code, message: vetting.message };
  return { ok: true, url: parsed.url.href, addresses: vetting.addresses.map(({ address }) => address) };
}
