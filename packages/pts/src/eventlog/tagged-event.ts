/**
 * TCG_PCClientTaggedEvent (PFP §10.4.2.1): taggedEventID u32 LE, taggedEventDataSize u32 LE, taggedEventData. The data
 * of EV_EVENT_TAG (GRUB/systemd use it for "Linux initrd" and the kernel command line; Windows for SIPA events).
 */
import { LeReader } from './le-reader.js';

export interface TaggedEvent {
  taggedEventId: number;
  taggedEventData: Uint8Array;
}

/** @throws DecodeError when the data size does not match the event */
export function decodeTaggedEvent(data: Uint8Array, base = 0): TaggedEvent {
  const r = new LeReader(data, base);
  const taggedEventId = r.u32('taggedEventID');
  const n = r.u32('taggedEventDataSize');
  const taggedEventData = r.borrow(n, 'taggedEventData');
  r.end('TCG_PCClientTaggedEvent');
  return { taggedEventId, taggedEventData };
}
