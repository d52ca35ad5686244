import { describe, expect, it } from 'vitest';
import { isPublicAddress } from '#shared/webhooks/addresses';
import { JITTER, MAX_ATTEMPTS, RETRY_SCHEDULE_SECONDS, retryDelaySeconds } from '#shared/webhooks/backoff';
import { POST_TIMEOUT_MS, UnsafeDestination, urlProblem } from '#shared/webhooks/endpoint';
import { HttpWebhookPoster } from '#shared/adapters/webhooks/http-poster';
import { newWebhookSecret, sign, signedHeaders, verify } from '#shared/webhooks/signature';

describe('Standard Webhooks signatures', () => {
  // The specification's own example (and every reference library's test vector).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';

  it('reproduces the specification vector', () => {
    expect(sign(secret, id, timestamp, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies the vector within the tolerance and refuses any change', () => {
    const headers = signedHeaders([secret], id, timestamp, body);
    expect(headers).toEqual({ 'webhook-id': id, 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' });
    expect(verify(secret, headers, body, timestamp + 10)).toBe(true);
    expect(verify(secret, headers, `${body} `, timestamp)).toBe(false);
    expect(verify(secret, { ...headers, 'webhook-id': 'msg_other' }, body, timestamp)).toBe(false);
    expect(verify(secret, { ...headers, 'webhook-timestamp': String(timestamp + 1) }, body, timestamp)).toBe(false);
    expect(verify(newWebhookSecret(), headers, body, timestamp)).toBe(false);
    // Replays: a signature older (or newer) than five minutes is refused.
    expect(verify(secret, headers, body, timestamp + 301)).toBe(false);
    expect(verify(secret, headers, body, timestamp - 301)).toBe(false);
  });

  it('accepts any one of several signatures (rotation) and makes 32-byte secrets', () => {
    const headers = signedHeaders([newWebhookSecret(), secret], id, timestamp, body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verify(secret, headers, body, timestamp)).toBe(true);
    const fresh = newWebhookSecret();
    expect(fresh).toMatch(/^whsec_/);
    expect(Buffer.from(fresh.slice(6), 'base64')).toHaveLength(32);
  });
});

describe('retry backoff', () => {
  it('follows the schedule with ±10 % jitter, then stops', () => {
    RETRY_SCHEDULE_SECONDS.forEach((base, i) => {
      expect(retryDelaySeconds(i + 1, () => 0)).toBe(Math.max(1, Math.round(base * (1 - JITTER))));
      expect(retryDelaySeconds(i + 1, () => 0.5)).toBe(base);
      expect(retryDelaySeconds(i + 1, () => 0.75)).toBe(Math.round(base * (1 + JITTER / 2)));
      expect(retryDelaySeconds(i + 1, Math.random)!).toBeLessThanOrEqual(Math.round(base * (1 + JITTER)));
    });
    expect(retryDelaySeconds(MAX_ATTEMPTS, () => 0.5)).toBeUndefined();
  });

  it('spans at least 24 hours even at the low end of the jitter, and grows', () => {
    const total = RETRY_SCHEDULE_SECONDS.reduce((sum, _, i) => sum + retryDelaySeconds(i + 1, () => 0)!, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
    for (let i = 1; i < RETRY_SCHEDULE_SECONDS.length; i++) expect(RETRY_SCHEDULE_SECONDS[i]!).toBeGreaterThanOrEqual(RETRY_SCHEDULE_SECONDS[i - 1]!);
    // Every wait fits SQS's 12-hour visibility ceiling.
    expect(Math.max(...RETRY_SCHEDULE_SECONDS) * (1 + JITTER)).toBeLessThanOrEqual(43_200);
  });

  it('is shortened only by the local scale', () => {
    expect(retryDelaySeconds(2, () => 0.5, 0.2)).toBe(60);
  });
});

describe('SSRF address checks', () => {
  it.each([
    '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '127.1.2.3', '0.0.0.0', '169.254.169.254', '100.64.0.1',
    '224.0.0.1', '255.255.255.255', '198.18.0.1', '192.0.2.10',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', 'ff02::1', '2001:db8::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:a00:1::', '::10.0.0.1',
    // SIIT (::ffff:0:0:0/96), local-use NAT64, ORCHIDv1 and v2, benchmarking, documentation 3fff::/20, outside global unicast.
    '::ffff:0:a9fe:a9fe', '::ffff:0:7f00:1', '::ffff:0:808:808', '64:ff9b:1::a9fe:a9fe', '64:ff9b:1:ffff::1', '2001:10::1', '2001:1f:ffff::1', '2001:20::1',
    '2001:2f::1', '2001:2::1', '3fff::1', '4000::1', '100::1', 'a000::1',
  ])('refuses %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('allows %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it('refuses names that are not addresses at all', () => {
    expect(isPublicAddress('example.com')).toBe(false);
    expect(isPublicAddress('')).toBe(false);
  });

  it('sees through decimal, octal and hex host forms (the URL parser normalises them)', () => {
    const aws = { allowLoopback: false };
    for (const url of ['https://2130706433/', 'https://0x7f.0.0.1/', 'https://017700000001/', 'https://127.1/', 'https://167772161/', 'https://0xa9.254.169.254/', 'https://[::ffff:169.254.169.254]/', 'https://[::1]/']) {
      expect(urlProblem(url, aws), url).toBeDefined();
    }
    expect(urlProblem('https://hooks.example.com/sealtext', aws)).toBeUndefined();
    expect(urlProblem('https://8.8.8.8/x', aws)).toBeUndefined();
  });

  it('wants https in AWS; the local stack may also post to http://127.0.0.1 and localhost, nowhere else over http', () => {
    expect(urlProblem('http://hooks.example.com/', { allowLoopback: false })).toBe('Must use https');
    expect(urlProblem('http://127.0.0.1:8080/hook', { allowLoopback: false })).toBeDefined();
    expect(urlProblem('http://127.0.0.1:8080/hook', { allowLoopback: true })).toBeUndefined();
    expect(urlProblem('http://localhost:8080/hook', { allowLoopback: true })).toBeUndefined();
    expect(urlProblem('http://10.0.0.1/hook', { allowLoopback: true })).toBeDefined();
    expect(urlProblem('https://user:pw@hooks.example.com/', { allowLoopback: true })).toBe('Must not carry credentials');
    expect(urlProblem('ftp://hooks.example.com/', { allowLoopback: true })).toBeDefined();
    expect(urlProblem('not a url', { allowLoopback: true })).toBe('Must be an absolute URL');
  });

  it('allows only the HTTPS ports 443 and 8443 (any port only for the local stack\'s loopback receiver)', () => {
    const aws = { allowLoopback: false };
    expect(urlProblem('https://hooks.example.com:443/x', aws)).toBeUndefined();
    expect(urlProblem('https://hooks.example.com:8443/x', aws)).toBeUndefined();
    for (const port of [22, 25, 80, 6379, 8080, 9200, 2375, 65535]) expect(urlProblem(`https://hooks.example.com:${port}/x`, aws), String(port)).toBe('Must use port 443 or 8443');
    expect(urlProblem('http://127.0.0.1:4000/hook', { allowLoopback: true })).toBeUndefined();
  });

  it('cuts a stalling name resolution at the post\'s own deadline', async () => {
    const never = new HttpWebhookPoster({ allowLoopback: false }, () => new Promise(() => undefined), 50);
    const started = Date.now();
    await expect(never.post('https://slow-dns.example.com/', {}, '{}')).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(POST_TIMEOUT_MS);
  });

  it('refuses a name that resolves inside, before connecting (DNS answers are checked, every one)', async () => {
    const poster = (addresses: string[]) => new HttpWebhookPoster({ allowLoopback: false }, async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    await expect(poster(['169.254.169.254']).post('https://metadata.example.com/', {}, '{}')).rejects.toBeInstanceOf(UnsafeDestination);
    await expect(poster(['93.184.216.34', '10.0.0.7']).post('https://mixed.example.com/', {}, '{}')).rejects.toBeInstanceOf(UnsafeDestination);
    await expect(poster(['::ffff:127.0.0.1']).post('https://mapped.example.com/', {}, '{}')).rejects.toBeInstanceOf(UnsafeDestination);
    await expect(poster([]).post('https://nothing.example.com/', {}, '{}')).rejects.toBeInstanceOf(UnsafeDestination);
  });
});
