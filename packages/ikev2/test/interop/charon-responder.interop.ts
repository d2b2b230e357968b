/**
 * Rekeying and liveness checks started by the PEER: Debian's strongSwan 5.9.8 charon as a second gateway (EAP-TTLS +
 * EAP-MD5, EAP-only, libipsec) with short lifetimes — CHILD_SA rekey_time 3 s with PFS (x25519), IKE_SA rekey_time
 * 5 s, dpd_delay 2 s — set up by charon-responder.sh in our own namespace tnc-ikev2-sgw (the kit's moon keeps
 * strongSwan's default lifetimes of hours). Our initiator (built package) runs in the carol namespace and holds the
 * IKE_SA while charon rekeys it; charon's log is the independent witness.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kitDir, PEER_DIR, startKit } from '../../../../test-support/strongswan-kit.js';

const here = dirname(fileURLToPath(import.meta.url));
const kit = kitDir();
const peerDir = PEER_DIR;
const helper = (cmd: string) => spawnSync('bash', [join(here, 'charon-responder.sh'), cmd], { env: { ...process.env, TNC_PEER_KIT: kit }, encoding: 'utf8', timeout: 60_000 });
let charonLog = '';
let ca = '';

beforeAll(() => {
  startKit();
  const up = helper('up');
  if (up.status !== 0) throw new Error(`charon-responder.sh up failed: ${up.stderr}`);
  charonLog = join(up.stdout.trim().split('\n').pop()!, 'charon.log');
  ca = mkdtempSync(join(tmpdir(), 'ikev2-sgw-ca-'));
  copyFileSync(join(peerDir, 'pki/caCert.pem'), join(ca, 'caCert.pem'));
}, 600_000);

afterAll(() => {
  helper('down');
});

interface Out {
  ok: boolean;
  error?: unknown;
  spiI: string;
  child: { spiIn: string; spiOut: string };
  events: { type: string; initiatedBy?: string; pfs?: boolean; spiIn?: string; spiOut?: string; spiI?: string; oldSpiI?: string }[];
  exchanges: string[];
  ping: { replies: unknown[] };
  pingAfterHold: { src: string; seq: number; checksumOk: boolean };
  tunnelAfterHold: { rekeys: number; outSpi: string };
  delete: { acknowledged: boolean };
}

describe('our initiator ← rekeys and DPD started by Debian charon 5.9.8 as responder', () => {
  it('RFC 7296 §1.3: charon rekeys the CHILD_SA (with PFS) and the IKE_SA, sends DPD; we answer, switch ESP and stay up', () => {
    const o = { gateway: '192.168.79.1', localAddress: '192.168.79.254', identity: 'carol@strongswan.org', password: 'Ar3etTnp', ca, ping: 1, pingTarget: '10.3.0.1', hold: 13_000, pingAfterHold: true, retransmit: { timeout: 1000, base: 1.8, tries: 3 } };
    const r = spawnSync('ip', ['netns', 'exec', 'tnc-carol', process.execPath, join(here, 'initiator-client.mjs'), JSON.stringify(o)], { encoding: 'utf8', timeout: 90_000 });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Out;
    expect(out.error).toBeUndefined();
    expect(out.ping.replies).toHaveLength(1);
    const childRekeys = out.events.filter((e) => e.type === 'child-rekeyed');
    const ikeRekeys = out.events.filter((e) => e.type === 'ike-rekeyed');
    expect(childRekeys.length).toBeGreaterThanOrEqual(2);
    expect(childRekeys.every((e) => e.initiatedBy === 'peer' && e.pfs === true)).toBe(true);
    expect(ikeRekeys.length).toBeGreaterThanOrEqual(1);
    expect(ikeRekeys.every((e) => e.initiatedBy === 'peer')).toBe(true);
    expect(ikeRekeys[0].oldSpiI).toBe(out.spiI);
    // we answered, as the responder of the rekey exchanges
    expect(out.exchanges).toContainEqual(expect.stringMatching(/^parsed CREATE_CHILD_SA request \d+ \[ N\(REKEY_SA\) SA No KE TSi TSr \]$/));
    expect(out.exchanges).toContainEqual(expect.stringMatching(/^generating CREATE_CHILD_SA response \d+ \[ SA No KE TSi TSr \]$/));
    expect(out.exchanges).toContainEqual(expect.stringMatching(/^parsed CREATE_CHILD_SA request \d+ \[ SA No KE \]$/));
    expect(out.exchanges).toContainEqual(expect.stringMatching(/^generating CREATE_CHILD_SA response \d+ \[ SA No KE \]$/));
    expect(out.exchanges).toContainEqual(expect.stringMatching(/^parsed INFORMATIONAL request \d+ \[ \]$/)); // charon's DPD
    // ESP on the newest CHILD_SA after all rekeys, then our DELETE (as responder of the rekeyed IKE_SA) acknowledged
    expect(out.pingAfterHold).toEqual({ src: '10.3.0.1', seq: 300, checksumOk: true });
    const last = childRekeys[childRekeys.length - 1];
    expect(out.tunnelAfterHold).toEqual({ rekeys: childRekeys.length, outSpi: last.spiOut });
    expect(out.delete).toEqual({ acknowledged: true });
    const log = readFileSync(charonLog, 'utf8');
    expect(log).toMatch(/IKE_SA sgw\[\d+\] rekeyed between 192\.168\.79\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.79\.254\[carol@strongswan\.org\]/);
    expect(log).toMatch(new RegExp(`CHILD_SA sgw\\{\\d+\\} established with SPIs ${last.spiOut}_i ${last.spiIn}_o and TS 10\\.3\\.0\\.0/28 === 192\\.168\\.79\\.254/32`));
    expect(log).toMatch(/closing CHILD_SA sgw\{\d+\} with SPIs/);
    expect(log).toMatch(/received DELETE for IKE_SA sgw\[\d+\]/);
    expect(log).not.toMatch(/NO_PROP|INVALID_KE|CHILD_SA_NOT_FOUND|NO_ADD_SAS|INVALID_SYNTAX|giving up after/);
  }, 120_000);
});
