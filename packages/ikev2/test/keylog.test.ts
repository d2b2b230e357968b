/**
 * The explicit key export for captures (`keylog` option, Wireshark UAT lines): both roles export the same IKE SA
 * keys and mirror-image ESP SA lines, every rekey adds entries, and nothing is exported without the option.
 */
import { describe, expect, it } from '@jest/globals';
import { EapAuthenticator, EapPeer, MemorySecretsStore, md5Factory } from '@tncjs/eap';
import { CertificateValidator, TrustStore, ttlsPeerFactory, ttlsServerFactory } from '@tncjs/eap-ttls';
import { ENCRS, Encr, INTEGS, Integ, IkeInitiator, IkeResponder, espKeylogEntry, ikeKeylogEntry, type KeylogEntry } from '../src/index.js';
import { makePki } from '../../eap-ttls/test/support/pki.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('Wireshark UAT lines', () => {
  it('ikev2_decryption_table: SPIs, SK_ei, SK_er, encryption name, SK_ai, SK_ar, integrity name', () => {
    const keys = { skD: hex('00'), skAi: hex('a1a1'), skAr: hex('a2a2'), skEi: hex('e1e1'), skEr: hex('e2e2'), skPi: hex('00'), skPr: hex('00') };
    expect(ikeKeylogEntry(hex('0102030405060708'), hex('1112131415161718'), ENCRS[Encr.AES_CBC], 256, INTEGS[Integ.HMAC_SHA2_256_128], keys).wireshark)
      .toBe('0102030405060708,1112131415161718,e1e1,e2e2,"AES-CBC-256 [RFC3602]",a1a1,a2a2,"HMAC_SHA2_256_128 [RFC4868]"');
    expect(ikeKeylogEntry(hex('0102030405060708'), hex('1112131415161718'), ENCRS[Encr.AES_GCM_16], 128, undefined, { ...keys, skAi: new Uint8Array(0), skAr: new Uint8Array(0) }).wireshark)
      .toBe('0102030405060708,1112131415161718,e1e1,e2e2,"AES-GCM-128 with 16 octet ICV [RFC5282]",,,"NONE [RFC4306]"');
  });

  it('esp_sa: one line per direction, inbound first, keys of the right direction for each role', () => {
    const child = { spiIn: hex('aaaaaaaa'), spiOut: hex('bbbbbbbb'), encr: ENCRS[Encr.AES_CBC], encrKeyBits: 128, integ: INTEGS[Integ.HMAC_SHA1_96], keys: { encrI: hex('01'), integI: hex('02'), encrR: hex('03'), integR: hex('04') } };
    expect(espKeylogEntry(child, '192.168.0.254', '192.168.0.1', true).wireshark).toEqual([
      '"IPv4","192.168.0.1","192.168.0.254","0xaaaaaaaa","AES-CBC [RFC3602]","0x03","HMAC-SHA-1-96 [RFC2404]","0x04"',
      '"IPv4","192.168.0.254","192.168.0.1","0xbbbbbbbb","AES-CBC [RFC3602]","0x01","HMAC-SHA-1-96 [RFC2404]","0x02"',
    ]);
    expect(espKeylogEntry(child, '192.168.0.1', '192.168.0.254', false).wireshark[0]).toContain('"0x01","HMAC-SHA-1-96 [RFC2404]","0x02"');
  });
});

describe('keylog option (in process)', () => {
  it('both roles export the same IKE keys; rekeys add entries; without the option nothing is exported', async () => {
    const pki = await makePki();
    const CAROL = 'carol@strongswan.org';
    const secrets = new MemorySecretsStore({ [CAROL]: 'Ar3etTnp' });
    const ours: KeylogEntry[] = [];
    const theirs: KeylogEntry[] = [];
    const responder = new IkeResponder({
      identity: 'moon.strongswan.org', fakeNat: true, transport: { localAddress: '127.0.0.1' }, keylog: (e) => theirs.push(e),
      eap: (id) => new EapAuthenticator({ methods: [ttlsServerFactory({ cert: pki.moon.pem, key: pki.leafKey.pem, phase2: { methods: [md5Factory(secrets)] } })], requestIdentity: false, identity: id, serverIdentity: 'moon.strongswan.org' }),
    });
    const ports = await responder.listen();
    const peer = () => new EapPeer({ identity: CAROL, serverIdentity: 'moon.strongswan.org', methods: [ttlsPeerFactory({ validator: new CertificateValidator({ trust: new TrustStore([pki.ca.der]), revocation: { policy: 'off' } }), phase2: [md5Factory(secrets)] })] });
    const initiator = new IkeInitiator({ remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port }, identity: CAROL, eap: peer(), transport: { localAddress: '127.0.0.1' }, keylog: (e) => ours.push(e) });
    const info = await initiator.connect();
    await initiator.rekeyChildSa();
    await initiator.rekeyIkeSa();
    await initiator.close();
    expect(ours.map((e) => e.kind)).toEqual(['ike', 'esp', 'esp', 'ike']);
    expect(theirs.map((e) => e.kind)).toEqual(['ike', 'esp', 'esp', 'ike']);
    expect(ours.filter((e) => e.kind === 'ike').map((e) => e.wireshark)).toEqual(theirs.filter((e) => e.kind === 'ike').map((e) => e.wireshark));
    const [o1, t1] = [ours[1], theirs[1]] as { wireshark: string[] }[];
    expect(o1.wireshark).toEqual([t1.wireshark[1], t1.wireshark[0]]); // our inbound is their outbound
    expect((ours[0] as { spiI: string }).spiI).not.toBe(info.spiI); // info follows the rekeyed IKE_SA
    // a second pair without the option: no callback exists, nothing to export
    const silent = new IkeInitiator({ remote: { address: '127.0.0.1', port: ports.ike.port, nattPort: ports.natt.port }, identity: CAROL, eap: peer(), transport: { localAddress: '127.0.0.1' } });
    const before = theirs.length;
    await silent.connect();
    await silent.close();
    expect(ours).toHaveLength(4);
    expect(theirs.length).toBe(before + 2);
    await responder.close();
  }, 30_000);
});
