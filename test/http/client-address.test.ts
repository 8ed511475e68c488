/** clientKey: IPv4 by address, IPv4-mapped IPv6 as its IPv4, IPv6 by /56, anything else one shared key. */
import { clientKey } from '../../src/http/client-address';

describe('clientKey', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['::FFFF:c633:6407', '198.51.100.7'],
    ['2001:db8:aa:bbcc:1:2:3:4', '2001:db8:aa:bb00:0:0:0:0/56'],
    ['2001:db8:aa:bbff::', '2001:db8:aa:bb00:0:0:0:0/56'],
    ['2001:DB8:00AA:BB01::1%eth0', '2001:db8:aa:bb00:0:0:0:0/56'],
    ['2001:db8:0:1ff:ffff::9', '2001:db8:0:100:0:0:0:0/56'],
    ['::1', '0:0:0:0:0:0:0:0/56'],
    ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:0/56'],
    [undefined, 'unknown'],
    ['', 'unknown'],
    ['198.51.100.07', 'unknown'],
    ['1.2.3', 'unknown'],
    ['2001:db8::1::2', 'unknown'],
    ['[::1]', 'unknown'],
    ['example.com', 'unknown'],
  ])('clientKey(%p) = %p', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});
