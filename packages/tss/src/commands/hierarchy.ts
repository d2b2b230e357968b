/** Part 3 §24 Hierarchy Commands: TPM2_CreatePrimary. */
import { Writer, equalBytes } from '@tncjs/common';
import { TPM_CC } from '../constants.js';
import { TpmDecodeError } from '../errors.js';
import type { AuthRef } from '../sessions/authorization.js';
import { readCreationData2b, type CreationData } from '../structures/tpms-creation-data.js';
import { writeSensitiveCreate2b, type SensitiveCreate } from '../structures/tpms-sensitive-create.js';
import { readTpm2b, writeTpm2b } from '../structures/tpm2b.js';
import { readTicket, type Ticket } from '../structures/tpmt-tk.js';
import { objectName, readPublic2b, writePublic2b, type TpmtPublic } from '../structures/tpmt-public.js';
import { writePcrSelectionList, type PcrSelection } from '../structures/tpml-pcr-selection.js';
import type { Tpm } from '../tpm.js';
import { parseParams } from '../parse.js';

/** A public area used as a template. */
export type Template = TpmtPublic;

export interface CreateOptions {
  /** The new object's authValue and data (secret). */
  sensitive?: SensitiveCreate;
  /** Authorization of the hierarchy or parent (default: password, empty). */
  auth?: AuthRef;
  outsideInfo?: Uint8Array;
  creationPcr?: readonly PcrSelection[];
}

export interface CreationResult {
  public: TpmtPublic;
  /** The TPMT_PUBLIC bytes as the TPM returned them (tpm2-tools' `.pub` is these with a 2-byte size). */
  publicBytes: Uint8Array;
  creationData: CreationData;
  creationHash: Uint8Array;
  creationTicket: Ticket;
}

export interface PrimaryObject extends CreationResult {
  handle: number;
  name: Uint8Array;
}

/** inSensitive ‖ inPublic ‖ outsideInfo ‖ creationPCR: the parameters of TPM2_Create and TPM2_CreatePrimary. */
export function createParams(template: Template, opts: CreateOptions): Uint8Array {
  const w = new Writer(512);
  writeSensitiveCreate2b(w, opts.sensitive);
  writePublic2b(w, template);
  writeTpm2b(w, opts.outsideInfo ?? new Uint8Array(0));
  writePcrSelectionList(w, opts.creationPcr ?? []);
  return w.finish();
}

/**
 * TPM2_CreatePrimary under a hierarchy (TPM_RH.OWNER, ENDORSEMENT, PLATFORM, NULL). The same template in the same
 * hierarchy always yields the same key (EK and SRK templates: see `templates.ts`).
 */
export async function createPrimary(tpm: Tpm, primaryHandle: number, template: Template, opts: CreateOptions = {}): Promise<PrimaryObject> {
  const res = await tpm.execute({
    commandCode: TPM_CC.CreatePrimary,
    handles: [primaryHandle],
    auths: [opts.auth ?? {}],
    params: createParams(template, opts),
    responseHandles: 1,
    sensitive: { command: true },
  });
  const out = parseParams(res, 'TPM2_CreatePrimary', (r) => {
    const pub = readPublic2b(r);
    const creationData = readCreationData2b(r);
    const creationHash = readTpm2b(r, 'creationHash', 64);
    const creationTicket = readTicket(r);
    const nameAt = r.offset;
    const name = readTpm2b(r, 'name', 68);
    if (!equalBytes(name, objectName(pub.bytes))) throw new TpmDecodeError('the returned Name does not match the returned public area', nameAt);
    return { handle: res.handles[0], public: pub.public, publicBytes: pub.bytes, creationData, creationHash, creationTicket, name };
  });
  return out;
}
