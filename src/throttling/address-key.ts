import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client address is counted under by the per-address limit. One IPv6 subscriber is
 * routinely given a whole /64 (RFC 6177) and picks addresses in it at will (RFC 8981), so an IPv6
 * client is counted by its /64 prefix, written in one canonical form (`2001:db8:0:1::/64`)
 * however the address was spelled (compressed, zero-padded, upper-case, with a zone id). An
 * IPv4 address, and an IPv6 address that carries one (IPv4-mapped `::ffff:1.2.3.4`), is counted
 * by itself; a port a proxy passed on with the address is left out. Anything else (no address,
 * a value a trusted proxy passed on) is its own key.
 */
export function addressKey(ip: string | undefined): string {
  if (ip === undefined) {
    return 'unknown';
  }
  if (isIPv4(ip)) {
    return ip;
  }
  // A proxy may pass an address on with its port: `[2001:db8::1]:443` or `192.0.2.1:443`.
  const withPort = /^\[([^\]]+)\](?::\d+)?$/.exec(ip) ?? /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(ip);
  if (withPort !== null) {
    return addressKey(withPort[1]);
  }
  const address = ip.replace(/%.*$/, '');
  if (!isIPv6(address)) {
    return ip;
  }
  const groups = ipv6Groups(address);
  // ::ffff:0:0/96, the IPv4-mapped addresses a dual-stack socket reports IPv4 clients by.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (without a zone id), `::` and a dotted tail expanded. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) =>
    part === undefined || part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const front = parse(head);
  if (tail === undefined) {
    return front;
  }
  const back = parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}
