/**
 * What the TNC client and server managers share: loaded IMCs/IMVs with their IDs and subscriptions, routing of PB-PA
 * messages to subscribers, and sending PA-TNC messages split at the connection's maximum message size.
 */
import type { Logger } from '@tncjs/common';
import { describePaSubtype, type PbTncConnection } from '@tncjs/pb-tnc';
import { PaTncMessageBuilder } from '@tncjs/pa-tnc';
import { imcvAttributeRegistry } from './pa-tnc-messages.js';
import { ID_ANY, SUBTYPE_ANY, VENDOR_ANY, type ConnectionAttributes, type MessageType, type OutgoingMessage } from './types.js';

export interface Module {
  id: number;
  name: string;
  messageTypes: readonly MessageType[];
}

/** Whether `m` subscribes to (vendor, subtype), wildcards included. */
export function subscribes(m: Module, vendorId: number, subtype: number): boolean {
  return m.messageTypes.some((t) => (t.vendorId === VENDOR_ANY || t.vendorId === vendorId) && (t.subtype === SUBTYPE_ANY || t.subtype === subtype));
}

/** "IMC 1 supports 1 message type: 'IETF/Operating System' 0x000000/0x00000001". */
export function logMessageTypes(log: Logger, kind: 'IMC' | 'IMV', m: Module): void {
  const n = m.messageTypes.length;
  const types = m.messageTypes.map((t) => (t.vendorId === VENDOR_ANY ? "'ANY/ANY'" : describePaSubtype(t.vendorId, t.subtype))).join(', ');
  log.log('TNC', 1, `${kind} ${m.id} supports ${n} message type${n === 1 ? '' : 's'}: ${types}`);
}

/** The attributes of a PB-TNC connection as IF-IMC/IF-IMV expose them (strongSwan's tnccs 2.0 over PT-EAP). */
export function connectionAttributes(pb: PbTncConnection, ifT = { protocol: 'IF-T for Tunneled EAP', version: '2.0' }): ConnectionAttributes {
  return { maxMessageSize: pb.maxMessageSize, hasLongTypes: true, hasExclusive: true, hasSoh: false, ifTnccs: { protocol: 'IF-TNCCS', version: '2.0' }, ifT };
}

/** "IMC 1 \"OS\" created a state for IF-TNCCS 2.0 Connection ID 1: +long +excl -soh" and the IF-T line. */
export function logCreatedState(log: Logger, kind: 'IMC' | 'IMV', m: Module, connectionId: number, a: ConnectionAttributes): void {
  const f = (b: boolean, n: string) => `${b ? '+' : '-'}${n}`;
  log.log(kind, 1, `${kind} ${m.id} "${m.name}" created a state for ${a.ifTnccs.protocol} ${a.ifTnccs.version} Connection ID ${connectionId}: ${f(a.hasLongTypes, 'long')} ${f(a.hasExclusive, 'excl')} ${f(a.hasSoh, 'soh')}`);
  log.log(kind, 1, `  over ${a.ifT.protocol} ${a.ifT.version} with maximum PA-TNC message size of ${a.maxMessageSize} bytes`);
}

/**
 * Queue an outgoing message on the PB-TNC connection: attributes are packed into PA-TNC messages no larger than the
 * maximum message size, each sent as one PB-PA message.
 * @throws RangeError when neither attributes nor body is given, or an attribute alone exceeds the maximum size
 */
export function sendMessage(pb: PbTncConnection, from: Module, role: 'IMC' | 'IMV', msg: OutgoingMessage, defaultDestination: number, log: Logger): void {
  const type = msg.type ?? from.messageTypes[0];
  if (!type || type.vendorId === VENDOR_ANY || type.subtype === SUBTYPE_ANY) throw new TypeError(`${role} ${from.id} "${from.name}" must name a concrete message type to send`);
  let bodies: Uint8Array[];
  if (msg.body) bodies = [msg.body];
  else if (msg.attributes) {
    if (msg.attributes.length === 0) return;
    const b = new PaTncMessageBuilder({ maxMessageSize: pb.maxMessageSize, logger: log, registry: imcvAttributeRegistry() });
    for (const a of msg.attributes) b.add(a);
    bodies = b.finish();
  } else throw new TypeError('a message needs attributes or a body');
  const dest = msg.destinationId ?? defaultDestination;
  for (const body of bodies) {
    pb.sendPa({
      paVendorId: type.vendorId,
      paSubtype: type.subtype,
      collectorId: role === 'IMC' ? from.id : dest,
      validatorId: role === 'IMC' ? dest : from.id,
      exclusive: msg.exclusive === true && dest !== ID_ANY,
      body,
    });
  }
}
