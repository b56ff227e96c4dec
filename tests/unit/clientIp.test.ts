import { clientIp } from '../../server/clientIp';

const req = (socket: string | undefined, forwarded?: string | string[]) => ({
  headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
  socket: { remoteAddress: socket },
});

describe('the client address (TRUST_PROXY_HOPS)', () => {
  test('with no proxies of ours, the connection is the client, whatever the headers claim', () => {
    expect(clientIp(req('203.0.113.7', '198.51.100.1'), 0)).toBe('203.0.113.7');
  });

  test('IPv4 through an IPv6 socket is written as IPv4; real IPv6 stays', () => {
    expect(clientIp(req('::ffff:203.0.113.7'), 0)).toBe('203.0.113.7');
    expect(clientIp(req('2001:db8::1'), 0)).toBe('2001:db8::1');
  });

  test('behind n proxies, the n-th address from the right: what a client writes further left is ignored', () => {
    // The client forged "1.1.1.1"; our one proxy appended the address it saw.
    expect(clientIp(req('10.0.0.2', '1.1.1.1, 203.0.113.7'), 1)).toBe('203.0.113.7');
    // Two proxies: a CDN edge then our balancer.
    expect(clientIp(req('10.0.0.2', '1.1.1.1, 203.0.113.7, 198.51.100.20'), 2)).toBe('203.0.113.7');
    // Several headers count as one list.
    expect(clientIp(req('10.0.0.2', ['1.1.1.1', '203.0.113.7']), 1)).toBe('203.0.113.7');
  });

  test('fewer addresses than proxies: the left-most there is; none at all: the connection', () => {
    expect(clientIp(req('10.0.0.2', '203.0.113.7'), 2)).toBe('203.0.113.7');
    expect(clientIp(req('10.0.0.2'), 1)).toBe('10.0.0.2');
    expect(clientIp(req(undefined), 0)).toBeUndefined();
  });
});
