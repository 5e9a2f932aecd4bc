import { describe, expect, it } from '@jest/globals';
import { addressKey } from '../../src/throttling/address-key.js';

describe('addressKey', () => {
  it.each([
    ['2001:db8:0:1::1', '2001:db8:0:1::/64'],
    ['2001:db8:0:1:ffff:ffff:ffff:ffff', '2001:db8:0:1::/64'],
    ['2001:0DB8:0000:0001:0000:0000:0000:0042', '2001:db8:0:1::/64'],
    ['2001:db8::1:2:3:4', '2001:db8:0:0::/64'],
    ['2001:db8:0:1:2:3:1.2.3.4', '2001:db8:0:1::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['fe80::2%25en0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['1::', '1:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
  ])('should key the IPv6 address %s on its /64, %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  it('should give two addresses of one /64 one key and a neighbouring /64 another', () => {
    expect(addressKey('2001:db8:aa:bb::1')).toBe(addressKey('2001:db8:aa:bb:1234:5678:9abc:def0'));
    expect(addressKey('2001:db8:aa:bb::1')).not.toBe(addressKey('2001:db8:aa:bc::1'));
  });

  it.each([
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['0:0:0:0:0:ffff:c000:0201', '192.0.2.1'],
    ['::ffff:192.0.2.1%eth0', '192.0.2.1'],
  ])('should key the IPv4-mapped address %s as the IPv4 address %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  it.each(['1.2.3.4', '192.0.2.255'])('should key the IPv4 address %s as itself', (ip) => {
    expect(addressKey(ip)).toBe(ip);
  });

  it.each([
    ['[2001:db8:0:1::1]:443', '2001:db8:0:1::/64'],
    ['[2001:db8:0:1::2]', '2001:db8:0:1::/64'],
    ['[::ffff:1.2.3.4]:80', '1.2.3.4'],
    ['192.0.2.1:8080', '192.0.2.1'],
  ])('should key %s, an address with a port, as its address', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  it('should keep what is not an address as it came, and no address as "unknown"', () => {
    expect(addressKey('not-an-address')).toBe('not-an-address');
    expect(addressKey('2001:db8::g')).toBe('2001:db8::g');
    expect(addressKey(undefined)).toBe('unknown');
  });
});
