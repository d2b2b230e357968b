/**
 * Part 3 §12 Object Commands: TPM2_Create, TPM2_Load, TPM2_ReadPublic, TPM2_ActivateCredential,
 * TPM2_MakeCredential.
 */
import { Writer, equalBytes } from '@tncjs/common';
import { TPM_CC } from '../constants.js';
import { TpmDecodeError } from '../errors.js';
import type { AuthRef } from '../sessions/authorization.js';
import { readCreationData2b } from '../structures/tpms-creation-data.js';
import { readTpm2b, writeTpm2b } from '../structures/tpm2b.js';
import { readTicket } from '../structures/tpmt-tk.js';
import { objectName, readPublic2b, writePublic2b, type TpmtPublic } from '../structures/tpmt-public.js';
import type { Tpm, HandleRef } from '../tpm.js';
import { parseParams } from '../parse.js';
import { createParams, type CreateOptions, type CreationResult, type Template } from './hierarchy.js';

export interface CreatedObject extends CreationResult {
  /** TPM2B_PRIVATE contents: the sensitive area, encrypted and integrity-protected by the parent. */
  private: Uint8Array;
}

/** TPM2_Create: a new object under a loaded parent (not loaded: use `load`). */
export async function create(tpm: Tpm, parent: HandleRef, template: Template, opts: CreateOptions = {}): Promise<CreatedObject> {
  const res = await tpm.execute({
    commandCode: TPM_CC.Create,
    handles: [parent],
    auths: [opts.auth ?? {}],
    params: createParams(template, opts),
    sensitive: { command: true },
  });
  return parseParams(res, 'TPM2_Create', (r) => {
    const priv = readTpm2b(r, 'outPrivate');
    const pub = readPublic2b(r);
    return {
      private: priv,
      public: pub.public,
      publicBytes: pub.bytes,
      creationData: readCreationData2b(r),
      creationHash: readTpm2b(r, 'creationHash', 64),
      creationTicket: readTicket(r),
    };
  });
}

/** TPM2_Load: load a private/public pair under its parent; returns the transient handle and the Name. */
export async function load(tpm: Tpm, parent: HandleRef, priv: Uint8Array, pub: TpmtPublic, opts: { auth?: AuthRef } = {}): Promise<{ handle: number; name: Uint8Array }> {
  const w = new Writer(priv.length + 512);
  writeTpm2b(w, priv);
  writePublic2b(w, pub);
  const res = await tpm.execute({ commandCode: TPM_CC.Load, handles: [parent], auths: [opts.auth ?? {}], params: w.finish(), responseHandles: 1 });
  return parseParams(res, 'TPM2_Load', (r) => {
    const at = r.offset;
    const name = readTpm2b(r, 'name', 68);
    if (!equalBytes(name, objectName(pub))) throw new TpmDecodeError('TPM2_Load returned a Name that does not match the public area', at);
    return { handle: res.handles[0], name };
  });
}

export interface ReadPublicResult {
  public: TpmtPublic;
  publicBytes: Uint8Array;
  name: Uint8Array;
  qualifiedName: Uint8Array;
}

/** TPM2_ReadPublic of a loaded or persistent object. The Name is checked against the public area. */
export async function readPublic(tpm: Tpm, handle: number): Promise<ReadPublicResult> {
  const res = await tpm.execute({ commandCode: TPM_CC.ReadPublic, handles: [handle] });
  return parseParams(res, 'TPM2_ReadPublic', (r) => {
    const pub = readPublic2b(r);
    const at = r.offset;
    const name = readTpm2b(r, 'name', 68);
    if (!equalBytes(name, objectName(pub.bytes))) throw new TpmDecodeError('TPM2_ReadPublic returned a Name that does not match the public area', at);
    return { public: pub.public, publicBytes: pub.bytes, name, qualifiedName: readTpm2b(r, 'qualifiedName', 68) };
  });
}

export interface ActivateOptions {
  /** Authorization of the object the credential is bound to (the AIK; default: password, empty). */
  activateAuth?: AuthRef;
  /** Authorization of the EK (admin role): for the TCG EK a policy session that ran PolicySecret(TPM_RH_ENDORSEMENT). */
  keyAuth?: AuthRef;
}

/** TPM2_ActivateCredential: recover a credential made for `activate` with `key` (the EK). */
export async function activateCredential(tpm: Tpm, activate: HandleRef, key: HandleRef, credentialBlob: Uint8Array, secret: Uint8Array, opts: ActivateOptions = {}): Promise<Uint8Array> {
  const w = new Writer(credentialBlob.length + secret.length + 4);
  writeTpm2b(w, credentialBlob);
  writeTpm2b(w, secret);
  const res = await tpm.execute({
    commandCode: TPM_CC.ActivateCredential,
    handles: [activate, key],
    auths: [opts.activateAuth ?? {}, opts.keyAuth ?? {}],
    params: w.finish(),
    sensitive: { response: true },
  });
  return parseParams(res, 'TPM2_ActivateCredential', (r) => readTpm2b(r, 'certInfo', 64));
}

/** TPM2_MakeCredential with a loaded public key (no authorization): the TPM version of `makeCredential()`. */
export async function makeCredential(tpm: Tpm, handle: number, credential: Uint8Array, objectName: Uint8Array): Promise<{ credentialBlob: Uint8Array; secret: Uint8Array }> {
  const w = new Writer(credential.length + objectName.length + 4);
  writeTpm2b(w, credential);
  writeTpm2b(w, objectName);
  const res = await tpm.execute({ commandCode: TPM_CC.MakeCredential, handles: [handle], params: w.finish(), sensitive: { command: true } });
  return parseParams(res, 'TPM2_MakeCredential', (r) => ({ credentialBlob: readTpm2b(r, 'credentialBlob'), secret: readTpm2b(r, 'secret') }));
}
