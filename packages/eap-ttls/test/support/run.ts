/** Drives an EAP peer against an EAP authenticator in memory and counts what crosses the wire. */
import { EapAuthenticator, EapPeer, decodeEapPacket } from '@tncjs/eap';

export interface RunStats {
  /** Request/Response round trips (Success/Failure not counted). */
  exchanges: number;
  bytesToPeer: number;
  bytesToServer: number;
  largestPacket: number;
  final: 'success' | 'failure' | 'stalled';
  packets: { dir: 'req' | 'resp'; bytes: Uint8Array }[];
}

export async function runEap(peer: EapPeer, auth: EapAuthenticator, limit = 5000): Promise<RunStats> {
  const s: RunStats = { exchanges: 0, bytesToPeer: 0, bytesToServer: 0, largestPacket: 0, final: 'stalled', packets: [] };
  let req: Uint8Array = await auth.initiate();
  for (let i = 0; i < limit; i++) {
    s.packets.push({ dir: 'req', bytes: req });
    s.bytesToPeer += req.byteLength;
    s.largestPacket = Math.max(s.largestPacket, req.byteLength);
    const resp = await peer.process(req);
    if (!resp) return s;
    s.packets.push({ dir: 'resp', bytes: resp });
    s.bytesToServer += resp.byteLength;
    s.largestPacket = Math.max(s.largestPacket, resp.byteLength);
    s.exchanges++;
    const r = await auth.process(resp);
    if (r.status === 'discard') return s;
    if (r.status === 'continue') {
      req = r.packet;
      continue;
    }
    s.packets.push({ dir: 'req', bytes: r.packet });
    await peer.process(r.packet);
    s.final = r.status;
    return s;
  }
  return s;
}

/** The EAP codes/types of a packet list, for assertions. */
export const shape = (packets: { bytes: Uint8Array }[]) => packets.map((p) => decodeEapPacket(p.bytes));
