/**
 * Linux XFRM: the `ip xfrm` commands that install a CHILD_SA as strongSwan's kernel-netlink plugin does (SAs with
 * reqid, tunnel mode, espinudp for NAT-T, rfc4106(gcm(aes)) key‖salt or cbc(aes) + hmac(sha256) trunc 128; out/in/fwd
 * policies), checked against literal expected argument lists. Pure: nothing runs here (see kernel-xfrm-install.test.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { IkeError, redactXfrmArgs, selectorFromCidr, xfrmCommands, type KernelEndpoints } from '../src/index.js';
import { childSa, fill, responderView } from './support/kernel-fixtures.js';

const I = '192.168.0.254';
const R = '192.168.0.1';
const TMPL = ['proto', 'esp', 'reqid', '7', 'mode', 'tunnel'];
const k = (b: number, n: number) => '0x' + b.toString(16).repeat(n);

describe('xfrmCommands', () => {
  it('AES-GCM-16, initiator, no NAT: bypass, in SA (responder→initiator keys), out SA (initiator→responder keys), out/in/fwd policies', () => {
    const c = xfrmCommands(childSa({ gcm: true, natt: false }), { local: I, remote: R, reqid: 7, role: 'initiator' });
    expect(c.install).toEqual([
      ['xfrm', 'policy', 'add', 'src', `${I}/32`, 'dst', `${R}/32`, 'proto', '17', 'sport', '500', 'dport', '500', 'dir', 'out', 'priority', '1280', 'action', 'allow'],
      ['xfrm', 'policy', 'add', 'src', `${R}/32`, 'dst', `${I}/32`, 'proto', '17', 'sport', '500', 'dport', '500', 'dir', 'in', 'priority', '1280', 'action', 'allow'],
      ['xfrm', 'state', 'add', 'src', R, 'dst', I, 'proto', 'esp', 'spi', '0xc0010203', 'reqid', '7', 'mode', 'tunnel', 'replay-window', '32', 'aead', 'rfc4106(gcm(aes))', k(0x33, 20), '128'],
      ['xfrm', 'state', 'add', 'src', I, 'dst', R, 'proto', 'esp', 'spi', '0xc4050607', 'reqid', '7', 'mode', 'tunnel', 'aead', 'rfc4106(gcm(aes))', k(0x11, 20), '128'],
      ['xfrm', 'policy', 'add', 'src', `${I}/32`, 'dst', '10.1.0.0/16', 'dir', 'out', 'priority', '2883', 'tmpl', 'src', I, 'dst', R, ...TMPL],
      ['xfrm', 'policy', 'add', 'src', '10.1.0.0/16', 'dst', `${I}/32`, 'dir', 'in', 'priority', '2883', 'tmpl', 'src', R, 'dst', I, ...TMPL],
      ['xfrm', 'policy', 'add', 'src', '10.1.0.0/16', 'dst', `${I}/32`, 'dir', 'fwd', 'priority', '2883', 'tmpl', 'src', R, 'dst', I, ...TMPL],
    ]);
    expect(c.remove).toEqual([
      ['xfrm', 'policy', 'delete', 'src', `${I}/32`, 'dst', `${R}/32`, 'proto', '17', 'sport', '500', 'dport', '500', 'dir', 'out'],
      ['xfrm', 'policy', 'delete', 'src', `${R}/32`, 'dst', `${I}/32`, 'proto', '17', 'sport', '500', 'dport', '500', 'dir', 'in'],
      ['xfrm', 'state', 'delete', 'src', R, 'dst', I, 'proto', 'esp', 'spi', '0xc0010203'],
      ['xfrm', 'state', 'delete', 'src', I, 'dst', R, 'proto', 'esp', 'spi', '0xc4050607'],
      ['xfrm', 'policy', 'delete', 'src', `${I}/32`, 'dst', '10.1.0.0/16', 'dir', 'out'],
      ['xfrm', 'policy', 'delete', 'src', '10.1.0.0/16', 'dst', `${I}/32`, 'dir', 'in'],
      ['xfrm', 'policy', 'delete', 'src', '10.1.0.0/16', 'dst', `${I}/32`, 'dir', 'fwd'],
    ]);
    expect(c.kind).toEqual(['bypass', 'bypass', 'state', 'state', 'policy', 'policy', 'policy']);
    expect(c.describe).toEqual([
      `adding bypass policy ${I}[udp/500] === ${R}[udp/500] out`,
      `adding bypass policy ${R}[udp/500] === ${I}[udp/500] in`,
      'adding SAD entry with SPI c0010203 and reqid {7}',
      'adding SAD entry with SPI c4050607 and reqid {7}',
      `adding policy ${I}/32 === 10.1.0.0/16 out`,
      `adding policy 10.1.0.0/16 === ${I}/32 in`,
      `adding policy 10.1.0.0/16 === ${I}/32 fwd`,
    ]);
  });

  it('AES-CBC + HMAC-SHA2-256-128, responder, NAT-T on 4500 ↔ 31337: keys swapped, espinudp ports per direction, TSr is ours', () => {
    const ends: KernelEndpoints = { local: R, remote: I, localPort: 4500, remotePort: 31337, reqid: 7, role: 'responder' };
    const c = xfrmCommands(responderView(childSa({ gcm: false, natt: true })), ends);
    expect(c.install).toEqual([
      ['xfrm', 'policy', 'add', 'src', `${R}/32`, 'dst', `${I}/32`, 'proto', '17', 'sport', '4500', 'dport', '31337', 'dir', 'out', 'priority', '1280', 'action', 'allow'],
      ['xfrm', 'policy', 'add', 'src', `${I}/32`, 'dst', `${R}/32`, 'proto', '17', 'sport', '31337', 'dport', '4500', 'dir', 'in', 'priority', '1280', 'action', 'allow'],
      ['xfrm', 'state', 'add', 'src', I, 'dst', R, 'proto', 'esp', 'spi', '0xc4050607', 'reqid', '7', 'mode', 'tunnel', 'replay-window', '32',
        'enc', 'cbc(aes)', k(0x11, 16), 'auth-trunc', 'hmac(sha256)', k(0x22, 32), '128', 'encap', 'espinudp', '31337', '4500', '0.0.0.0'],
      ['xfrm', 'state', 'add', 'src', R, 'dst', I, 'proto', 'esp', 'spi', '0xc0010203', 'reqid', '7', 'mode', 'tunnel',
        'enc', 'cbc(aes)', k(0x33, 16), 'auth-trunc', 'hmac(sha256)', k(0x44, 32), '128', 'encap', 'espinudp', '4500', '31337', '0.0.0.0'],
      ['xfrm', 'policy', 'add', 'src', '10.1.0.0/16', 'dst', `${I}/32`, 'dir', 'out', 'priority', '2883', 'tmpl', 'src', R, 'dst', I, ...TMPL],
      ['xfrm', 'policy', 'add', 'src', `${I}/32`, 'dst', '10.1.0.0/16', 'dir', 'in', 'priority', '2883', 'tmpl', 'src', I, 'dst', R, ...TMPL],
      ['xfrm', 'policy', 'add', 'src', `${I}/32`, 'dst', '10.1.0.0/16', 'dir', 'fwd', 'priority', '2883', 'tmpl', 'src', I, 'dst', R, ...TMPL],
    ]);
    expect(c.remove[2]).toEqual(['xfrm', 'state', 'delete', 'src', I, 'dst', R, 'proto', 'esp', 'spi', '0xc4050607']);
    expect(c.remove[3]).toEqual(['xfrm', 'state', 'delete', 'src', R, 'dst', I, 'proto', 'esp', 'spi', '0xc0010203']);
  });

  it('AES-GCM-16, initiator, NAT-T with default ports: espinudp 4500 both ways, bypass on 4500', () => {
    const c = xfrmCommands(childSa({ gcm: true, natt: true }), { local: I, remote: R, reqid: 7 });
    expect(c.install[0]).toEqual(['xfrm', 'policy', 'add', 'src', `${I}/32`, 'dst', `${R}/32`, 'proto', '17', 'sport', '4500', 'dport', '4500', 'dir', 'out', 'priority', '1280', 'action', 'allow']);
    expect(c.install[2].slice(-5)).toEqual(['encap', 'espinudp', '4500', '4500', '0.0.0.0']);
    expect(c.install[3]).toEqual(['xfrm', 'state', 'add', 'src', I, 'dst', R, 'proto', 'esp', 'spi', '0xc4050607', 'reqid', '7', 'mode', 'tunnel',
      'aead', 'rfc4106(gcm(aes))', k(0x11, 20), '128', 'encap', 'espinudp', '4500', '4500', '0.0.0.0']);
  });

  it('AES-CBC + HMAC, initiator, no NAT: enc + auth-trunc, no encap', () => {
    const c = xfrmCommands(childSa({ gcm: false, natt: false }), { local: I, remote: R, reqid: 7 });
    expect(c.install[2]).toEqual(['xfrm', 'state', 'add', 'src', R, 'dst', I, 'proto', 'esp', 'spi', '0xc0010203', 'reqid', '7', 'mode', 'tunnel', 'replay-window', '32',
      'enc', 'cbc(aes)', k(0x33, 16), 'auth-trunc', 'hmac(sha256)', k(0x44, 32), '128']);
    expect(c.install[3]).toEqual(['xfrm', 'state', 'add', 'src', I, 'dst', R, 'proto', 'esp', 'spi', '0xc4050607', 'reqid', '7', 'mode', 'tunnel',
      'enc', 'cbc(aes)', k(0x11, 16), 'auth-trunc', 'hmac(sha256)', k(0x22, 32), '128']);
  });

  it.each([
    [true, false, 'initiator'], [true, true, 'initiator'], [false, false, 'initiator'], [false, true, 'initiator'],
    [true, false, 'responder'], [true, true, 'responder'], [false, false, 'responder'], [false, true, 'responder'],
  ] as const)('gcm=%s natt=%s %s: the inbound SA carries our SPI towards us, the outbound the peer\'s SPI towards the peer, and the two ends mirror each other', (gcm, natt, role) => {
    const ini = childSa({ gcm, natt });
    const asInitiator = xfrmCommands(ini, { local: I, remote: R, reqid: 3, role: 'initiator' });
    const asResponder = xfrmCommands(responderView(ini), { local: R, remote: I, reqid: 3, role: 'responder' });
    const me = role === 'initiator' ? asInitiator : asResponder;
    const [local, remote, c] = role === 'initiator' ? [I, R, ini] : [R, I, responderView(ini)];
    const states = me.install.filter((_, n) => me.kind[n] === 'state');
    const at = (a: string[], key: string) => a[a.indexOf(key) + 1];
    expect(states.map((s) => [at(s, 'src'), at(s, 'dst'), at(s, 'spi')])).toEqual([
      [remote, local, '0x' + Buffer.from(c.spiIn).toString('hex')],
      [local, remote, '0x' + Buffer.from(c.spiOut).toString('hex')],
    ]);
    // what one end sends with, the other receives with: same SPI, same addresses, same algorithms and keys
    const strip = (a: string[]) => a.filter((x) => x !== 'replay-window' && x !== '32');
    const iStates = asInitiator.install.filter((_, n) => asInitiator.kind[n] === 'state');
    const rStates = asResponder.install.filter((_, n) => asResponder.kind[n] === 'state');
    const body = (a: string[]) => strip(a).slice(0, a.includes('encap') ? strip(a).indexOf('encap') : undefined);
    expect(body(iStates[1])).toEqual(body(rStates[0]));
    expect(body(iStates[0])).toEqual(body(rStates[1]));
    // policies: out goes from our TS to theirs with a template towards the peer; in/fwd the reverse
    const pols = me.install.filter((_, n) => me.kind[n] === 'policy');
    const ourTs = role === 'initiator' ? `${I}/32` : '10.1.0.0/16';
    const theirTs = role === 'initiator' ? '10.1.0.0/16' : `${I}/32`;
    expect(pols.map((p) => [at(p, 'dir'), p[4], p[6], p[p.indexOf('tmpl') + 2], p[p.indexOf('tmpl') + 4]])).toEqual([
      ['out', ourTs, theirTs, local, remote],
      ['in', theirTs, ourTs, remote, local],
      ['fwd', theirTs, ourTs, remote, local],
    ]);
  });

  it('splits a TS range into prefixes, keeps single ports and protocols, widens port ranges (as strongSwan), pairs every TS', () => {
    const c = childSa({ gcm: true, natt: false, tsi: ['192.168.0.254/32'] });
    c.tsr = [{ ...selectorFromCidr('10.1.0.0/32'), end: Uint8Array.of(10, 1, 0, 5), ipProtocol: 6, startPort: 443, endPort: 443 },
      { ...selectorFromCidr('10.2.0.0/24'), ipProtocol: 17, startPort: 1000, endPort: 2000 }];
    const cmds = xfrmCommands(c, { local: I, remote: R, reqid: 1, ikeBypass: false });
    const outs = cmds.install.filter((a) => a.includes('out') && a.includes('tmpl')).map((a) => a.slice(3, a.indexOf('dir')));
    expect(outs).toEqual([
      ['src', `${I}/32`, 'dst', '10.1.0.0/30', 'proto', '6', 'dport', '443'],
      ['src', `${I}/32`, 'dst', '10.1.0.4/31', 'proto', '6', 'dport', '443'],
      ['src', `${I}/32`, 'dst', '10.2.0.0/24', 'proto', '17'],
    ]);
    const ins = cmds.install.filter((a) => a.includes('in') && a.includes('tmpl')).map((a) => a.slice(3, a.indexOf('dir')));
    expect(ins[0]).toEqual(['src', '10.1.0.0/30', 'dst', `${I}/32`, 'proto', '6', 'sport', '443']);
    expect(cmds.kind.filter((x) => x === 'bypass')).toHaveLength(0);
    expect(cmds.kind.filter((x) => x === 'policy')).toHaveLength(9);
  });

  it('IPv6 endpoints and selectors', () => {
    const c = childSa({ gcm: true, natt: true });
    c.tsi = [{ tsType: 8, ipProtocol: 0, startPort: 0, endPort: 0xffff, start: fill(16, 0).fill(0xfd, 0, 1), end: fill(16, 0xff).fill(0xfd, 0, 1).fill(0, 1, 8) }];
    c.tsr = [{ tsType: 8, ipProtocol: 0, startPort: 0, endPort: 0xffff, start: fill(16, 0), end: fill(16, 0xff) }];
    const cmds = xfrmCommands(c, { local: '2001:db8::2', remote: '2001:db8::1', reqid: 2 });
    expect(cmds.install[0]).toEqual(['xfrm', 'policy', 'add', 'src', '2001:db8::2/128', 'dst', '2001:db8::1/128', 'proto', '17', 'sport', '4500', 'dport', '4500', 'dir', 'out', 'priority', '512', 'action', 'allow']);
    expect(cmds.install[2].slice(-5)).toEqual(['encap', 'espinudp', '4500', '4500', '::']);
    expect(cmds.install[4].slice(3, 8)).toEqual(['src', 'fd00:0:0:0:0:0:0:0/64', 'dst', '0:0:0:0:0:0:0:0/0', 'dir']);
  });

  it('refuses malformed input: TypeError for caller misuse, IkeError when XFRM cannot express the CHILD_SA', () => {
    const c = childSa({ gcm: true, natt: false });
    expect(() => xfrmCommands(c, { local: 'moon', remote: R, reqid: 1 })).toThrow(TypeError);
    expect(() => xfrmCommands(c, { local: I, remote: '2001:db8::1', reqid: 1 })).toThrow(/different address families/);
    expect(() => xfrmCommands(c, { local: I, remote: R, reqid: 0 })).toThrow(/reqid/);
    expect(() => xfrmCommands(c, { local: I, remote: R, reqid: 1, localPort: 70000 })).toThrow(/port/);
    expect(() => xfrmCommands({ ...c, keys: { ...c.keys, encrI: fill(16, 1) } }, { local: I, remote: R, reqid: 1 })).toThrow(/16 bytes, expected 20/);
    expect(() => xfrmCommands({ ...c, encr: { ...c.encr, id: 28 } }, { local: I, remote: R, reqid: 1 })).toThrow(IkeError);
    const v6ts = [{ tsType: 8, ipProtocol: 0, startPort: 0, endPort: 0xffff, start: fill(16, 0), end: fill(16, 0xff) }];
    let err: unknown;
    try { xfrmCommands({ ...c, tsr: v6ts }, { local: I, remote: R, reqid: 1 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(IkeError);
    expect(err).toMatchObject({ code: 'ERR_IKE_KERNEL', message: expect.stringMatching(/no pair of IPv4\/IPv6 traffic selectors/) });
  });

  it('redactXfrmArgs replaces every key by its length and leaves the rest', () => {
    const c = xfrmCommands(childSa({ gcm: false, natt: true }), { local: I, remote: R, reqid: 7 });
    const red = c.install.map(redactXfrmArgs);
    expect(red[2]).toEqual(['xfrm', 'state', 'add', 'src', R, 'dst', I, 'proto', 'esp', 'spi', '0xc0010203', 'reqid', '7', 'mode', 'tunnel', 'replay-window', '32',
      'enc', 'cbc(aes)', '0x[16 bytes]', 'auth-trunc', 'hmac(sha256)', '0x[32 bytes]', '128', 'encap', 'espinudp', '4500', '4500', '0.0.0.0']);
    expect(redactXfrmArgs(xfrmCommands(childSa({ gcm: true, natt: false }), { local: I, remote: R, reqid: 7 }).install[3])).toContain('0x[20 bytes]');
    for (const a of red) for (const hex of ['11', '22', '33', '44']) expect(a.join(' ')).not.toContain(hex.repeat(16));
    expect(red[4]).toEqual(c.install[4]);
  });
});
