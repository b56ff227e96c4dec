import type { IncomingHttpHeaders } from 'node:http';

/**
 * The address a request came from. With `hops` = 0 it is the connection's; behind `hops` proxies of
 * our own (TRUST_PROXY_HOPS), it is the `hops`-th address from the right of `X-Forwarded-For`: each
 * of our proxies appended the address it saw, and whatever the client wrote further left is ignored,
 * so a client cannot pick its own address. IPv4 seen through an IPv6 socket (`::ffff:1.2.3.4`) is
 * written as IPv4.
 */
export function clientIp(
  req: { headers: IncomingHttpHeaders; socket?: { remoteAddress?: string | undefined } },
  hops: number,
): string | undefined {
  const socket = req.socket?.remoteAddress;
  let address = socket;
  if (hops > 0) {
    const header = req.headers['x-forwarded-for'];
    const list = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    // Fewer addresses than proxies: the request did not come through them all; the nearest one we know.
    address = list.length >= hops ? list[list.length - hops] : (list[0] ?? socket);
  }
  return address?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}
