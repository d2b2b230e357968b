/**
 * A tiny RADIUS front end (RFC 2865 Access-Request/Challenge/Accept/Reject, RFC 3579 EAP-Message split at 253
 * bytes, Message-Authenticator HMAC-MD5, State, shared secret; RFC 2548 MS-MPPE-Send/Recv-Key so the peer can check
 * our MSK) in front of an `EapAuthenticator`, on 127.0.0.1, for tests with real RADIUS-speaking EAP peers such as
 * eapol_test. Test harness only.
 */
import dgram from 'node:dgram';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { concatBytes } from '@tncjs/common';
import { decodeEapPacket, EapCode, EapType, type EapAuthenticator } from '@tncjs/eap';

export const RadiusCode = { ACCESS_REQUEST: 1, ACCESS_ACCEPT: 2, ACCESS_REJECT: 3, ACCESS_CHALLENGE: 11 } as const;
const ATTR = { USER_NAME: 1, STATE: 24, VENDOR_SPECIFIC: 26, EAP_MESSAGE: 79, MESSAGE_AUTHENTICATOR: 80 };

interface Attr {
  type: number;
  value: Uint8Array;
}

function parse(b: Uint8Array): { code: number; id: number; auth: Uint8Array; attrs: Attr[] } {
  if (b.length < 20) throw new Error('short RADIUS packet');
  const len = (b[2] << 8) | b[3];
  if (len < 20 || len > b.length) throw new Error('bad RADIUS length');
  const attrs: Attr[] = [];
  for (let at = 20; at < len; ) {
    const t = b[at];
    const l = b[at + 1];
    if (l < 2 || at + l > len) throw new Error('bad RADIUS attribute');
    attrs.push({ type: t, value: b.slice(at + 2, at + l) });
    at += l;
  }
  return { code: b[0], id: b[1], auth: b.slice(4, 20), attrs };
}

function encodeAttrs(attrs: Attr[]): Uint8Array {
  return concatBytes(attrs.map((a) => concatBytes([Uint8Array.of(a.type, a.value.length + 2), a.value])));
}

/** RFC 2548 §2.4.2 encryption of an MS-MPPE key. */
function mppeEncrypt(key: Uint8Array, secret: Uint8Array, requestAuth: Uint8Array): Uint8Array {
  const salt = new Uint8Array(randomBytes(2));
  salt[0] |= 0x80;
  const plainLen = Math.ceil((key.length + 1) / 16) * 16;
  const p = new Uint8Array(plainLen);
  p[0] = key.length;
  p.set(key, 1);
  const c = new Uint8Array(plainLen);
  let prev = concatBytes([requestAuth, salt]);
  for (let i = 0; i < plainLen; i += 16) {
    const b = createHash('md5').update(secret).update(prev).digest();
    for (let j = 0; j < 16; j++) c[i + j] = p[i + j] ^ b[j];
    prev = c.subarray(i, i + 16);
  }
  return concatBytes([salt, c]);
}

function msVendorAttr(type: number, value: Uint8Array): Attr {
  return { type: ATTR.VENDOR_SPECIFIC, value: concatBytes([Uint8Array.of(0, 0, 0x01, 0x37, type, value.length + 2), value]) };
}

interface Session {
  auth: EapAuthenticator;
}

export interface RadiusServerOptions {
  secret: string;
  /** A fresh authenticator per session; `identity` is the EAP-Response/Identity the NAS forwarded. */
  createAuthenticator: (identity: string, nextIdentifier: number) => EapAuthenticator;
}

export class RadiusEapServer {
  private readonly sock = dgram.createSocket('udp4');
  private readonly sessions = new Map<string, Session>();
  private readonly replies = new Map<string, Uint8Array>();
  private readonly secret: Uint8Array;
  readonly outcomes: { outcome: string; msk?: Uint8Array }[] = [];
  readonly errors: string[] = [];
  requests = 0;

  constructor(private readonly options: RadiusServerOptions) {
    this.secret = new TextEncoder().encode(options.secret);
    this.sock.on('message', (msg, rinfo) => {
      this.handle(new Uint8Array(msg))
        .then((reply) => reply && this.sock.send(reply, rinfo.port, rinfo.address))
        .catch((e) => this.errors.push(String(e)));
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.sock.bind(0, '127.0.0.1', () => resolve(this.sock.address().port)));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.sock.close(() => resolve()));
  }

  private async handle(b: Uint8Array): Promise<Uint8Array | undefined> {
    const req = parse(b);
    if (req.code !== RadiusCode.ACCESS_REQUEST) return undefined;
    const dupKey = `${req.id}:${Buffer.from(req.auth).toString('hex')}`;
    const cached = this.replies.get(dupKey);
    if (cached) return cached;
    this.requests++;
    const ma = req.attrs.find((a) => a.type === ATTR.MESSAGE_AUTHENTICATOR);
    if (!ma) throw new Error('Access-Request without Message-Authenticator');
    const zeroed = b.slice(0, (b[2] << 8) | b[3]);
    const maAt = findAttrOffset(zeroed, ATTR.MESSAGE_AUTHENTICATOR);
    zeroed.fill(0, maAt + 2, maAt + 18);
    const expect = createHmac('md5', this.secret).update(zeroed).digest();
    if (!timingSafeEqual(expect, ma.value)) throw new Error('bad Message-Authenticator');
    const eap = concatBytes(req.attrs.filter((a) => a.type === ATTR.EAP_MESSAGE).map((a) => a.value));
    const state = req.attrs.find((a) => a.type === ATTR.STATE)?.value;
    let session = state ? this.sessions.get(Buffer.from(state).toString('hex')) : undefined;
    let result;
    let stateOut = state;
    if (!session) {
      const p = decodeEapPacket(eap);
      if (p.code !== EapCode.RESPONSE || p.type !== EapType.IDENTITY) throw new Error('first EAP message must be Response/Identity');
      const auth = this.options.createAuthenticator(Buffer.from(p.data).toString('utf8'), (p.identifier + 1) & 0xff);
      session = { auth };
      stateOut = new Uint8Array(randomBytes(16));
      this.sessions.set(Buffer.from(stateOut).toString('hex'), session);
      result = { status: 'continue' as const, packet: await auth.initiate() };
    } else {
      result = await session.auth.process(eap);
    }
    if (result.status === 'discard') return undefined;
    const attrs: Attr[] = [];
    for (let i = 0; i < result.packet.length; i += 253) attrs.push({ type: ATTR.EAP_MESSAGE, value: result.packet.subarray(i, i + 253) });
    let code: number = RadiusCode.ACCESS_CHALLENGE;
    if (result.status === 'continue') attrs.push({ type: ATTR.STATE, value: stateOut! });
    else if (result.status === 'success') {
      code = RadiusCode.ACCESS_ACCEPT;
      const msk = session.auth.msk;
      this.outcomes.push({ outcome: 'success', msk });
      if (msk) {
        attrs.push(msVendorAttr(16, mppeEncrypt(msk.subarray(32, 64), this.secret, req.auth)));
        attrs.push(msVendorAttr(17, mppeEncrypt(msk.subarray(0, 32), this.secret, req.auth)));
      }
    } else {
      code = RadiusCode.ACCESS_REJECT;
      this.outcomes.push({ outcome: 'failure' });
    }
    attrs.push({ type: ATTR.MESSAGE_AUTHENTICATOR, value: new Uint8Array(16) });
    const body = encodeAttrs(attrs);
    const len = 20 + body.length;
    const reply = concatBytes([Uint8Array.of(code, req.id, len >> 8, len & 0xff), req.auth, body]);
    const at = findAttrOffset(reply, ATTR.MESSAGE_AUTHENTICATOR);
    reply.set(createHmac('md5', this.secret).update(reply).digest(), at + 2);
    reply.set(createHash('md5').update(reply).update(this.secret).digest(), 4);
    this.replies.set(dupKey, reply);
    return reply;
  }
}

function findAttrOffset(b: Uint8Array, type: number): number {
  const len = (b[2] << 8) | b[3];
  for (let at = 20; at < len; at += b[at + 1]) if (b[at] === type) return at;
  throw new Error(`attribute ${type} not found`);
}
