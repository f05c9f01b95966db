import net from 'node:net';

const lists = new Map<string, net.BlockList>();

/** A set of CIDR ranges (IPv4 and IPv6) as Node's BlockList, built once per list. */
function listOf(ranges: readonly string[]): net.BlockList {
  const cacheKey = ranges.join(',');
  let list = lists.get(cacheKey);
  if (list) return list;
  list = new net.BlockList();
  for (const range of ranges) {
    const [address, bits] = range.split('/');
    const type = net.isIPv6(address!) ? 'ipv6' : 'ipv4';
    list.addSubnet(address!, Number(bits ?? (type === 'ipv6' ? 128 : 32)), type);
  }
  lists.set(cacheKey, list);
  return list;
}

/** Is the address inside one of the ranges? An empty list allows every address. IPv4-mapped IPv6 counts as IPv4. */
export function isAllowedAddress(address: string, ranges: readonly string[]): boolean {
  if (ranges.length === 0) return true;
  const plain = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  const type = net.isIPv6(plain) ? 'ipv6' : 'ipv4';
  return net.isIP(plain) !== 0 && listOf(ranges).check(plain, type);
}

/** Whether a CIDR text is well-formed, for the config's errors. */
export function isCidr(text: string): boolean {
  const [address, bits] = text.split('/');
  const version = net.isIP(address ?? '');
  if (!version) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (version === 6 ? 128 : 32);
}
