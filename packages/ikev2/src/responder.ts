/**
 * IKEv2 responder (RFC 7296) for EAP-only initiators (RFC 5998), the gateway role of strongSwan's "ttls" connection:
 * IKE_SA_INIT (proposal choice by our preference, INVALID_KE_PAYLOAD, NAT detection, fragmentation support),
 * IKE_AUTH with the EAP conversation delegated to an `EapAuthenticator`, AUTH from the MSK (or SK_p), the first
 * CHILD_SA, INFORMATIONAL (DELETE). Retransmitted requests get the cached response. One UDP transport, many IKE_SAs.
 */
import { randomBytes } from 'node:crypto';
import { Reader, Writer, Logger, equalBytes, getLogger, toHex } from '@tncjs/common';
import type { EapAuthenticator } from '@tncjs/eap';
import { AuthMethod, DH_NAMES, ExchangeType, NotifyType, PayloadType, ProtocolId, TransformType } from './constants.js';
import { IkeError } from './errors.js';
import { decodeMessage, describeMessage, encodeMessage, type IkeMessage } from './message.js';
import {
  decodePayloads, describeProposal, encodePayloads, formatIdentity, identificationBody, keyLength, notify, parseIdentity,
  selectorFromCidr, type AnyPayload, type AuthenticationPayload, type EapPayload, type EncryptedFragmentPayload,
  type EncryptedPayload, type IdentificationPayload, type KeyExchangePayload, type NoncePayload, type NotifyPayload,
  type Proposal, type SecurityAssociationPayload, type TrafficSelectorPayload, type Transform,
} from './payloads/index.js';
import { ENCRS, INTEGS, PRFS } from './crypto/algorithms.js';
import { createKeyExchange } from './crypto/diffie-hellman.js';
import { deriveChildKeys, deriveIkeKeys, skeyseed, type IkeKeys } from './crypto/ike-keys.js';
import { openMessage, type SkContext } from './crypto/encrypted-payload.js';
import { natDetectionHash, sharedKeyAuth, signedOctets } from './crypto/authentication.js';
import { DEFAULT_FRAGMENT_SIZE, FragmentReassembler, sealMaybeFragmented } from './fragmentation.js';
import { UdpTransport, type Endpoint, type TransportOptions } from './transport.js';
import { EspSa, EspTunnel } from './esp.js';
import { DEFAULT_ESP_PROPOSALS, DEFAULT_IKE_PROPOSALS, type ChildSa, type EspProposalConfig, type IkeProposalConfig } from './initiator.js';

export interface ResponderOptions {
  /** Our IDr, e.g. `moon.strongswan.org`. */
  identity: string;
  /** A fresh EAP authenticator for each IKE_SA (the initiator's IDi is passed for `requestIdentity: false`). */
  eap: (peerIdentity: string) => EapAuthenticator;
  /** Acceptable proposals in our order of preference (DH groups too). */
  ike?: IkeProposalConfig[];
  esp?: EspProposalConfig[];
  /** Our side of the CHILD_SA (TSr), CIDR; default 0.0.0.0/0. */
  localTs?: string[];
  fragmentSize?: number;
  /**
   * Pretend to be behind a NAT (send a non-matching NAT_DETECTION_SOURCE_IP), as strongSwan's libipsec mode does, so
   * the initiator floats to NAT-T and ESP is UDP-encapsulated.
   */
  fakeNat?: boolean;
  transport?: TransportOptions;
  logger?: Logger;
}

/** Events of an IKE_SA on the responder. */
export interface ResponderSaInfo {
  spiI: string;
  spiR: string;
  peerIdentity: string;
  mskUsed: boolean;
  child?: ChildSa;
}

interface Sa {
  spiI: Uint8Array;
  spiR: Uint8Array;
  peer: Endpoint;
  natt: boolean;
  initRequest: Uint8Array;
  initResponse: Uint8Array;
  ni: Uint8Array;
  nr: Uint8Array;
  keys: IkeKeys;
  prf: (typeof PRFS)[number];
  skIn: SkContext;
  skOut: SkContext;
  fragmentation: boolean;
  /** Next expected request ID and the cached response of the last one. */
  expect: number;
  last?: { id: number; packets: Uint8Array[] };
  reassembler: FragmentReassembler;
  state: 'init' | 'eap' | 'auth' | 'established' | 'deleted';
  eap?: EapAuthenticator;
  idi?: IdentificationPayload;
  idr?: IdentificationPayload;
  childRequest?: { sa: SecurityAssociationPayload; tsi: TrafficSelectorPayload; tsr: TrafficSelectorPayload };
  msk?: Uint8Array;
  child?: ChildSa;
}

const one = (p: Proposal, type: number): Transform | undefined => p.transforms.find((t) => t.type === type);
const find = <T extends AnyPayload>(ps: readonly AnyPayload[], type: number) => ps.find((p) => p.type === type) as T | undefined;

/** An IKEv2 responder on one UDP transport. */
export class IkeResponder {
  private readonly log: Logger;
  readonly transport: UdpTransport;
  private readonly sas = new Map<string, Sa>();
  private readonly established: ((info: ResponderSaInfo) => void)[] = [];
  private readonly deleted: ((spiI: string) => void)[] = [];

  constructor(private readonly options: ResponderOptions) {
    this.log = options.logger ?? getLogger();
    this.transport = new UdpTransport({ ...options.transport, logger: options.transport?.logger ?? this.log });
  }

  async listen(): Promise<{ ike: Endpoint; natt: Endpoint }> {
    await this.transport.open();
    this.transport.setHandlers((m, from, natt) => this.onDatagram(m, from, natt));
    return { ike: this.transport.local(false), natt: this.transport.local(true) };
  }

  onEstablished(cb: (info: ResponderSaInfo) => void): void {
    this.established.push(cb);
  }

  onDeleted(cb: (spiI: string) => void): void {
    this.deleted.push(cb);
  }

  /**
   * The userspace ESP data path of an established IKE_SA's CHILD_SA (keys of the responder's direction).
   * @throws IkeError when there is no such CHILD_SA
   */
  openEspTunnel(spiI: string): EspTunnel {
    const sa = this.sas.get(spiI);
    const c = sa?.child;
    if (!sa || !c || sa.state !== 'established') throw new IkeError('ERR_IKE_PROTOCOL', `no CHILD_SA for IKE_SA ${spiI}`);
    const out = new EspSa({ spi: c.spiOut, encr: c.encr, encrKey: c.keys.encrR.slice(), integ: c.integ, integKey: c.keys.integR.slice() });
    const inb = new EspSa({ spi: c.spiIn, encr: c.encr, encrKey: c.keys.encrI.slice(), integ: c.integ, integKey: c.keys.integI.slice() });
    const tunnel = new EspTunnel(out, inb, (p) => this.transport.sendEsp(p, sa.peer), this.log);
    this.transport.setHandlers((m, from, natt) => this.onDatagram(m, from, natt), (p) => tunnel.receive(p));
    return tunnel;
  }

  /** Number of IKE_SAs not deleted. */
  get activeSas(): number {
    return [...this.sas.values()].filter((s) => s.state !== 'deleted').length;
  }

  async close(): Promise<void> {
    for (const sa of this.sas.values()) for (const k of Object.values(sa.keys)) k.fill(0);
    this.sas.clear();
    await this.transport.close();
  }

  private send(sa: Pick<Sa, 'peer' | 'natt'>, packets: Uint8Array[]): void {
    for (const p of packets) this.transport.sendIke(p, sa.peer, sa.natt);
  }

  private onDatagram(b: Uint8Array, from: Endpoint, natt: boolean): void {
    let m: IkeMessage;
    try {
      m = decodeMessage(b);
    } catch (e) {
      this.log.log('ENC', 1, `could not decode IKE message from ${from.address}[${from.port}]: ${(e as Error).message}`);
      return;
    }
    if (m.response || !m.initiator) return;
    try {
      if (m.exchange === ExchangeType.IKE_SA_INIT) return this.ikeSaInit(m, b, from, natt);
      const sa = this.sas.get(toHex(m.spiI));
      if (!sa || !equalBytes(sa.spiR, m.spiR) || sa.state === 'deleted') return this.log.log('NET', 2, 'ignoring message for an unknown IKE_SA');
      sa.peer = from;
      sa.natt = natt;
      if (sa.last && m.messageId === sa.last.id) {
        this.log.log('IKE', 1, `received retransmit of request with ID ${m.messageId}, retransmitting response`);
        return this.send(sa, sa.last.packets);
      }
      if (m.messageId !== sa.expect) return this.log.log('IKE', 1, `ignoring request with ID ${m.messageId}, expected ${sa.expect}`);
      const payloads = this.open(sa, m, b);
      if (!payloads) return;
      this.log.log('ENC', 1, `parsed ${describeMessage(m, payloads)}`);
      void this.dispatch(sa, m, payloads).catch((e) => this.log.log('IKE', 1, `processing request failed: ${(e as Error).message}`));
    } catch (e) {
      this.log.log('ENC', 1, `discarding request: ${(e as Error).message}`);
    }
  }

  private open(sa: Sa, m: IkeMessage, raw: Uint8Array): AnyPayload[] | undefined {
    const last = m.payloads[m.payloads.length - 1];
    if (last?.type === PayloadType.SK) {
      const sk = last as EncryptedPayload;
      return decodePayloads(new Reader(openMessage(raw, sk.data, false, sa.skIn)), sk.innerType);
    }
    if (last?.type === PayloadType.SKF) {
      const f = last as EncryptedFragmentPayload;
      const done = sa.reassembler.add(m.messageId, raw, f, sa.skIn);
      this.log.log('ENC', 1, `received fragment #${f.fragmentNumber} of ${f.totalFragments}, ${done ? 'reassembled fragmented IKE message' : 'waiting for complete IKE message'}`);
      return done && decodePayloads(new Reader(done.inner), done.firstType);
    }
    throw new IkeError('ERR_IKE_PROTOCOL', 'unencrypted message after IKE_SA_INIT');
  }

  private respond(sa: Sa, m: IkeMessage, payloads: AnyPayload[]): void {
    const header = { spiI: sa.spiI, spiR: sa.spiR, exchange: m.exchange, initiator: false, response: true, messageId: m.messageId };
    const w = new Writer();
    encodePayloads(w, payloads);
    this.log.log('ENC', 1, `generating ${describeMessage({ ...header, payloads }, payloads)}`);
    const packets = sealMaybeFragmented(header, w.finish(), payloads.length ? payloads[0].type : 0, sa.skOut, {
      fragment: sa.fragmentation, limit: this.options.fragmentSize ?? DEFAULT_FRAGMENT_SIZE, natt: sa.natt,
    });
    if (packets.length > 1) this.log.log('ENC', 1, `splitting IKE message into ${packets.length} fragments`);
    sa.last = { id: m.messageId, packets };
    sa.expect = m.messageId + 1;
    sa.reassembler.clearBelow(sa.expect);
    this.send(sa, packets);
  }

  // ------------------------------------------------------------------ IKE_SA_INIT

  private ikeSaInit(m: IkeMessage, raw: Uint8Array, from: Endpoint, natt: boolean): void {
    const key = toHex(m.spiI);
    const existing = this.sas.get(key);
    if (existing?.initRequest && equalBytes(existing.initRequest, raw)) return this.transport.sendIke(existing.initResponse, from, natt);
    const plain = (payloads: AnyPayload[]) => {
      const resp: IkeMessage = { spiI: m.spiI, spiR: new Uint8Array(8), exchange: ExchangeType.IKE_SA_INIT, initiator: false, response: true, messageId: 0, payloads };
      this.log.log('ENC', 1, `generating ${describeMessage(resp)}`);
      this.transport.sendIke(encodeMessage(resp), from, natt);
    };
    this.log.log('ENC', 1, `parsed ${describeMessage(m)}`);
    const sa = find<SecurityAssociationPayload>(m.payloads, PayloadType.SA);
    const ke = find<KeyExchangePayload>(m.payloads, PayloadType.KE);
    const ni = find<NoncePayload>(m.payloads, PayloadType.NONCE);
    if (!sa || !ke || !ni) return plain([notify(NotifyType.INVALID_SYNTAX)]);
    // choose by our preference: first of our proposals matching one of theirs
    let chosen: { theirs: Proposal; ours: IkeProposalConfig; group: number } | undefined;
    for (const ours of this.options.ike ?? DEFAULT_IKE_PROPOSALS) {
      for (const theirs of sa.proposals) {
        if (theirs.protocol !== ProtocolId.IKE) continue;
        const has = (type: number, id: number, bits?: number) => theirs.transforms.some((t) => t.type === type && t.id === id && (bits === undefined || keyLength(t) === bits));
        if (!has(TransformType.ENCR, ours.encr, ours.keyBits) || !has(TransformType.PRF, ours.prf)) continue;
        if (ours.integ !== undefined && !ENCRS[ours.encr].aead && !has(TransformType.INTEG, ours.integ)) continue;
        const group = ours.groups.find((g) => has(TransformType.DH, g));
        if (group === undefined) continue;
        chosen = { theirs, ours, group };
        break;
      }
      if (chosen) break;
    }
    if (!chosen) {
      this.log.log('IKE', 1, 'no acceptable proposal found');
      return plain([notify(NotifyType.NO_PROPOSAL_CHOSEN)]);
    }
    if (ke.group !== chosen.group) {
      this.log.log('IKE', 1, `DH group ${DH_NAMES[ke.group] ?? ke.group} unacceptable, requesting ${DH_NAMES[chosen.group] ?? chosen.group}`);
      return plain([notify(NotifyType.INVALID_KE_PAYLOAD, Uint8Array.of(chosen.group >> 8, chosen.group & 255))]);
    }
    const { ours, group } = chosen;
    const dh = createKeyExchange(group);
    let secret: Uint8Array;
    try {
      secret = dh.computeSecret(ke.data);
    } catch {
      return plain([notify(NotifyType.INVALID_SYNTAX)]);
    }
    const spiR = new Uint8Array(randomBytes(8));
    const nr = new Uint8Array(randomBytes(32));
    const encr = ENCRS[ours.encr];
    const integ = ours.integ !== undefined && !encr.aead ? INTEGS[ours.integ] : undefined;
    const prf = PRFS[ours.prf];
    const transforms: Transform[] = [{ type: TransformType.ENCR, id: ours.encr, attributes: [{ type: 14, value: ours.keyBits }] }, { type: TransformType.PRF, id: ours.prf, attributes: [] }];
    if (integ) transforms.push({ type: TransformType.INTEG, id: integ.id, attributes: [] });
    transforms.push({ type: TransformType.DH, id: group, attributes: [] });
    const local = this.transport.local(natt);
    const notifies = m.payloads.filter((p): p is NotifyPayload => p.type === PayloadType.NOTIFY && 'notifyType' in p);
    const fragmentation = notifies.some((n) => n.notifyType === NotifyType.IKEV2_FRAGMENTATION_SUPPORTED);
    const natSrc = notifies.filter((n) => n.notifyType === NotifyType.NAT_DETECTION_SOURCE_IP);
    const natDst = notifies.find((n) => n.notifyType === NotifyType.NAT_DETECTION_DESTINATION_IP);
    const payloads: AnyPayload[] = [
      { type: 33, proposals: [{ num: chosen.theirs.num, protocol: ProtocolId.IKE, spi: new Uint8Array(0), transforms }] },
      { type: 34, group, data: dh.publicValue },
      { type: 40, data: nr },
    ];
    let natDetected = false;
    if (natSrc.length && natDst) {
      natDetected = !natSrc.some((n) => equalBytes(n.data, natDetectionHash(m.spiI, new Uint8Array(8), from.address, from.port)))
        || !equalBytes(natDst.data, natDetectionHash(m.spiI, new Uint8Array(8), local.address, local.port));
      payloads.push(notify(NotifyType.NAT_DETECTION_SOURCE_IP, this.options.fakeNat ? new Uint8Array(randomBytes(20)) : natDetectionHash(m.spiI, spiR, local.address, local.port)));
      natDetected ||= this.options.fakeNat === true;
      payloads.push(notify(NotifyType.NAT_DETECTION_DESTINATION_IP, natDetectionHash(m.spiI, spiR, from.address, from.port)));
    }
    if (fragmentation) payloads.push(notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
    const resp: IkeMessage = { spiI: m.spiI, spiR, exchange: ExchangeType.IKE_SA_INIT, initiator: false, response: true, messageId: 0, payloads };
    const initResponse = encodeMessage(resp);
    const seed = skeyseed(prf, ni.data, nr, secret);
    secret.fill(0);
    const keys = deriveIkeKeys({ prf, integ, encr, encrKeyBits: ours.keyBits }, seed, ni.data, nr, m.spiI, spiR);
    seed.fill(0);
    this.sas.set(key, {
      spiI: m.spiI, spiR, peer: from, natt, initRequest: raw.slice(), initResponse, ni: ni.data, nr, keys, prf, fragmentation,
      skIn: { encr, integ, encrKey: keys.skEi, integKey: keys.skAi }, skOut: { encr, integ, encrKey: keys.skEr, integKey: keys.skAr },
      expect: 1, reassembler: new FragmentReassembler(), state: 'init',
    });
    this.log.log('CFG', 1, `selected proposal: ${describeProposal((payloads[0] as SecurityAssociationPayload).proposals[0])}`);
    if (natDetected) this.log.log('IKE', 1, 'remote host is behind NAT');
    this.log.log('ENC', 1, `generating ${describeMessage(resp)}`);
    this.transport.sendIke(initResponse, from, natt);
  }

  // ------------------------------------------------------------------ IKE_AUTH / INFORMATIONAL

  private async dispatch(sa: Sa, m: IkeMessage, payloads: AnyPayload[]): Promise<void> {
    if (m.exchange === ExchangeType.INFORMATIONAL) {
      const del = payloads.some((p) => p.type === PayloadType.DELETE && (p as { protocol: number }).protocol === ProtocolId.IKE);
      this.respond(sa, m, []);
      if (del) {
        this.log.log('IKE', 1, `received DELETE for IKE_SA ${toHex(sa.spiI)}_i ${toHex(sa.spiR)}_r, deleting`);
        sa.state = 'deleted';
        for (const k of Object.values(sa.keys)) k.fill(0);
        for (const cb of this.deleted) cb(toHex(sa.spiI));
      }
      return;
    }
    if (m.exchange !== ExchangeType.IKE_AUTH) return this.respond(sa, m, [notify(NotifyType.INVALID_SYNTAX)]);
    if (sa.state === 'init') {
      const idi = find<IdentificationPayload>(payloads, PayloadType.IDi);
      const eapOnly = payloads.some((p) => p.type === PayloadType.NOTIFY && (p as NotifyPayload).notifyType === NotifyType.EAP_ONLY_AUTHENTICATION);
      if (!idi) return this.fail(sa, m, 'IKE_AUTH request without IDi');
      if (!eapOnly || payloads.some((p) => p.type === PayloadType.AUTH)) return this.fail(sa, m, 'peer does not use EAP-only authentication, which is all we support');
      sa.idi = idi;
      sa.idr = { type: 36, ...parseIdentity(this.options.identity) };
      const csa = find<SecurityAssociationPayload>(payloads, PayloadType.SA);
      const tsi = find<TrafficSelectorPayload>(payloads, PayloadType.TSi);
      const tsr = find<TrafficSelectorPayload>(payloads, PayloadType.TSr);
      if (csa && tsi && tsr) sa.childRequest = { sa: csa, tsi, tsr };
      sa.eap = this.options.eap(formatIdentity(idi));
      const first = await sa.eap.initiate();
      sa.state = 'eap';
      return this.respond(sa, m, [sa.idr, { type: 48, data: first } as EapPayload]);
    }
    if (sa.state === 'eap') {
      const ep = find<EapPayload>(payloads, PayloadType.EAP);
      if (!ep) return this.fail(sa, m, 'IKE_AUTH request without EAP payload during EAP');
      const r = await sa.eap!.process(ep.data);
      if (r.status === 'discard') return;
      if (r.status === 'success') {
        sa.msk = sa.eap!.msk;
        sa.state = 'auth';
        this.log.log('IKE', 1, `EAP method succeeded, ${sa.msk ? 'MSK established' : 'no MSK established'}`);
      } else if (r.status === 'failure') {
        this.log.log('IKE', 1, `EAP method failed for peer ${formatIdentity(sa.idi!)}: ${r.error.message}`);
        sa.state = 'deleted';
      }
      return this.respond(sa, m, [{ type: 48, data: r.packet } as EapPayload]);
    }
    if (sa.state === 'auth') {
      const auth = find<AuthenticationPayload>(payloads, PayloadType.AUTH);
      if (!auth) return this.fail(sa, m, 'IKE_AUTH request without AUTH after EAP');
      if (!sa.msk) return this.fail(sa, m, 'EAP-only authentication requires a key-generating EAP method (RFC 5998), but no MSK was established');
      const expect = sharedKeyAuth(sa.prf, sa.msk, signedOctets(sa.prf, sa.initRequest, sa.nr, sa.keys.skPi, identificationBody(sa.idi!)));
      if (auth.method !== AuthMethod.PSK || !equalBytes(auth.data, expect)) return this.fail(sa, m, 'verification of AUTH payload with MSK failed');
      const ours = sharedKeyAuth(sa.prf, sa.msk, signedOctets(sa.prf, sa.initResponse, sa.ni, sa.keys.skPr, identificationBody(sa.idr!)));
      const out: AnyPayload[] = [{ type: 39, method: AuthMethod.PSK, data: ours } as AuthenticationPayload];
      const child = this.child(sa, out);
      sa.child = child;
      sa.msk?.fill(0);
      sa.state = 'established';
      const peerIdentity = formatIdentity(sa.idi!);
      this.log.log('IKE', 0, `IKE_SA established between ${this.transport.local(sa.natt).address}[${this.options.identity}]...${sa.peer.address}[${peerIdentity}]`);
      this.respond(sa, m, out);
      for (const cb of this.established) cb({ spiI: toHex(sa.spiI), spiR: toHex(sa.spiR), peerIdentity, mskUsed: sa.msk !== undefined, child });
      return;
    }
    this.respond(sa, m, [notify(NotifyType.INVALID_SYNTAX)]);
  }

  private child(sa: Sa, out: AnyPayload[]): ChildSa | undefined {
    const req = sa.childRequest;
    if (!req) return undefined;
    for (const ours of this.options.esp ?? DEFAULT_ESP_PROPOSALS) {
      for (const theirs of req.sa.proposals) {
        if (theirs.protocol !== ProtocolId.ESP || theirs.spi.byteLength !== 4) continue;
        const e = one(theirs, TransformType.ENCR);
        if (!e || e.id !== ours.encr || keyLength(e) !== ours.keyBits) continue;
        const encr = ENCRS[ours.encr];
        const integ = ours.integ !== undefined && !encr.aead ? INTEGS[ours.integ] : undefined;
        if (integ && !theirs.transforms.some((t) => t.type === TransformType.INTEG && t.id === integ.id)) continue;
        if (theirs.transforms.some((t) => t.type === TransformType.ESN) && !theirs.transforms.some((t) => t.type === TransformType.ESN && t.id === 0)) continue;
        const spiIn = new Uint8Array(randomBytes(4));
        const transforms: Transform[] = [{ type: TransformType.ENCR, id: ours.encr, attributes: [{ type: 14, value: ours.keyBits }] }];
        if (integ) transforms.push({ type: TransformType.INTEG, id: integ.id, attributes: [] });
        transforms.push({ type: TransformType.ESN, id: 0, attributes: [] });
        const tsr = (this.options.localTs ?? ['0.0.0.0/0']).map((c) => selectorFromCidr(c));
        out.push({ type: 33, proposals: [{ num: theirs.num, protocol: ProtocolId.ESP, spi: spiIn, transforms }] }, { type: 44, selectors: req.tsi.selectors }, { type: 45, selectors: tsr });
        const keys = deriveChildKeys(sa.prf, sa.keys.skD, sa.ni, sa.nr, ours.keyBits / 8 + encr.saltSize, integ?.keySize ?? 0);
        const proposal = describeProposal({ num: theirs.num, protocol: ProtocolId.ESP, spi: spiIn, transforms });
        this.log.log('CHD', 0, `CHILD_SA established with SPIs ${toHex(spiIn)}_i ${toHex(theirs.spi)}_o`);
        return { spiIn, spiOut: theirs.spi, encr, encrKeyBits: ours.keyBits, integ, proposal, tsi: req.tsi.selectors, tsr, keys, udpEncapsulation: sa.natt };
      }
    }
    out.push(notify(NotifyType.NO_PROPOSAL_CHOSEN));
    return undefined;
  }

  private fail(sa: Sa, m: IkeMessage, why: string): void {
    this.log.log('IKE', 1, why);
    sa.state = 'deleted';
    this.respond(sa, m, [notify(NotifyType.AUTHENTICATION_FAILED)]);
  }
}

