import { loadConfig } from '../../src/config/env';
import { configError } from '../support/config';

describe('TRUST_PROXY', () => {
  it('trusts no proxy when unset or false, and takes true, a hop count or a list of addresses, CIDRs and Express range names', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.10, fd00::/8, 172.16.0.0/255.240.0.0, loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.10',
      'fd00::/8',
      '172.16.0.0/255.240.0.0',
      'loopback',
    ]);
  });

  it('refuses anything else, naming the variable, the wrong entries and what it takes', () => {
    const message = configError({ TRUST_PROXY: '10.0.0.0/8,10.0.0.300,my-balancer,10.0.0.0/33' });

    expect(message).toContain('TRUST_PROXY: not an address, CIDR or loopback/linklocal/uniquelocal: 10.0.0.300, my-balancer, 10.0.0.0/33');
    expect(message).toContain('1 behind one load balancer');
  });
});

describe('WEBHOOK_RATE_LIMIT_PER_CALL_PER_MINUTE', () => {
  it('defaults to 120 requests a minute per call and refuses zero', () => {
    expect(loadConfig({}).rateLimitPerCallPerMinute).toBe(120);
    expect(configError({ WEBHOOK_RATE_LIMIT_PER_CALL_PER_MINUTE: '0' })).toContain('WEBHOOK_RATE_LIMIT_PER_CALL_PER_MINUTE');
  });
});
