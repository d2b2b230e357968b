/**
 * The TLS 1.2 CertificateRequest scanner (RFC 5246 §7.4.4) behind "received TLS cert request for '…'": the server's
 * first flight is recorded from a real OpenSSL server (node:tls) through a TCP relay, then fed whole, byte by byte and
 * cut at random; without a CertificateRequest the scan ends at ServerHelloDone; random and mutated input never
 * throws, and the scanner stops reading after MAX_SCANNED_BYTES.
 */
import { createServer as createTcpServer, connect as tcpConnect, type AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import fc from 'fast-check';
import { CertificateRequestScanner, MAX_SCANNED_BYTES, parseAuthorities } from '../src/tls-certificate-request.js';
import { makePki, type TestPki } from './support/pki.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 60_000);

/** The bytes a TLS 1.2 server sends until the client gives up after the first flight (relay: client ↔ recorder ↔ server). */
async function serverFlight(requestCert: boolean): Promise<Uint8Array> {
  const server = tls.createServer({ cert: pki.moon.pem, key: pki.leafKey.pem, ca: [pki.ca.pem], requestCert, rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const chunks: Buffer[] = [];
  const relay = createTcpServer((down) => {
    const up = tcpConnect((server.address() as AddressInfo).port, '127.0.0.1');
    down.on('data', (d) => up.write(d));
    up.on('data', (d) => {
      chunks.push(d);
      down.write(d);
    });
    const end = () => {
      down.destroy();
      up.destroy();
    };
    down.on('close', end).on('error', end);
    up.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  try {
    await new Promise<void>((resolve) => {
      // the client rejects the (untrusted here) server certificate after the server's first flight
      const c = tls.connect({ port: (relay.address() as AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: true, maxVersion: 'TLSv1.2', servername: 'moon.strongswan.org' });
      c.on('error', () => resolve());
      c.on('secureConnect', () => {
        c.destroy();
        resolve();
      });
    });
  } finally {
    relay.close();
    server.close();
  }
  return new Uint8Array(Buffer.concat(chunks));
}

describe('CertificateRequestScanner over a real OpenSSL server flight', () => {
  it('finds the CertificateRequest and its CA name, fed whole, byte by byte and in random cuts', async () => {
    const flight = await serverFlight(true);
    expect(flight[0]).toBe(22); // a handshake record
    const whole = new CertificateRequestScanner();
    whole.push(flight);
    expect(whole.authorities).toEqual(['C=CH, O=Linux strongSwan, CN=strongSwan Root CA']);

    const bytewise = new CertificateRequestScanner();
    for (let i = 0; i < flight.byteLength; i++) bytewise.push(flight.subarray(i, i + 1));
    expect(bytewise.authorities).toEqual(whole.authorities);

    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: flight.byteLength }), { maxLength: 12 }), (cuts) => {
        const s = new CertificateRequestScanner();
        const at = [0, ...cuts.sort((a, b) => a - b), flight.byteLength];
        for (let i = 1; i < at.length; i++) s.push(flight.subarray(at[i - 1], at[i]));
        expect(s.authorities).toEqual(whole.authorities);
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('a server that asks for no client certificate: nothing found, and the scan ends at ServerHelloDone', async () => {
    const flight = await serverFlight(false);
    const s = new CertificateRequestScanner();
    s.push(flight);
    expect(s.authorities).toBeUndefined();
    // bytes after ServerHelloDone are not looked at, even a CertificateRequest
    const late = Uint8Array.of(22, 3, 3, 0, 9, 13, 0, 0, 5, 1, 1, 0, 0, 0);
    s.push(late);
    expect(s.authorities).toBeUndefined();
    const fresh = new CertificateRequestScanner();
    fresh.push(late);
    expect(fresh.authorities).toEqual([]);
  }, 30_000);
});

describe('bad input', () => {
  it('random bytes and mutated flights never throw', async () => {
    const flight = await serverFlight(true);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }), (parts) => {
        const s = new CertificateRequestScanner();
        for (const p of parts) s.push(p);
        expect(s.authorities === undefined || Array.isArray(s.authorities)).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.nat(flight.byteLength - 1), fc.integer({ min: 0, max: 255 }), (at, v) => {
        const m = flight.slice();
        m[at] = v;
        const s = new CertificateRequestScanner();
        s.push(m);
      }),
      { numRuns: 500 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => Array.isArray(parseAuthorities(b))), { numRuns: 1000 });
  }, 30_000);

  it('truncated CertificateRequest bodies yield the names read so far; non-DN names are skipped', () => {
    const name = Uint8Array.of(0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 0x54, 0x65, 0x73, 0x74); // CN=Test
    const body = Uint8Array.of(1, 1, 0, 2, 4, 1, 0, 2 * (2 + name.byteLength) + 2 + 3, 0, name.byteLength, ...name, 0, 3, 1, 2, 3, 0, name.byteLength, ...name);
    expect(parseAuthorities(body)).toEqual(['CN=Test', 'CN=Test']);
    expect(parseAuthorities(body.subarray(0, body.byteLength - 3))).toEqual(['CN=Test']);
    expect(parseAuthorities(new Uint8Array(0))).toEqual([]);
  });

  it('an endless record stream that is never a whole record is not buffered beyond MAX_SCANNED_BYTES', () => {
    const s = new CertificateRequestScanner();
    s.push(Uint8Array.of(22, 3, 3, 0xff, 0xff)); // a 65,535-byte record announced
    for (let i = 0; i < 100; i++) s.push(new Uint8Array(4096));
    expect(s.authorities).toBeUndefined();
    // after the limit the scanner ignores even a valid CertificateRequest
    s.push(Uint8Array.of(22, 3, 3, 0, 9, 13, 0, 0, 5, 1, 1, 0, 0, 0));
    expect(s.authorities).toBeUndefined();
    expect(MAX_SCANNED_BYTES).toBe(65536);
  });
});
