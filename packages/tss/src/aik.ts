/**
 * Attestation identity keys as strongSwan's attestation IMC uses them with a TPM 2.0: a restricted signing key
 * under the SRK, made persistent (strongSwan's HOWTO: `aik_handle = 0x81010003`), whose public key goes to the
 * verifier as a DER SubjectPublicKeyInfo (`aikPub.der`, `aik_pubkey`) — or as the TPM2B_PUBLIC blob.
 *
 * Device ID. strongSwan's OS IMC (src/libimcv/plugins/imc_os/imc_os.c, add_device_id(), read from strongSwan's
 * source) derives the ITA-HSR Device ID from the key configured in `libimcv.plugins.imc-os.device_pubkey` (or the
 * certificate in `device_cert`) as
 *
 *     pubkey->get_fingerprint(pubkey, KEYID_PUBKEY_INFO_SHA1, &keyid);
 *     value = chunk_to_hex(keyid, NULL, FALSE);            // lower case
 *     DBG1(DBG_IMC, "device ID is %.*s", value.len, value.ptr);
 *
 * KEYID_PUBKEY_INFO_SHA1 is the SHA-1 of the whole DER-encoded subjectPublicKeyInfo (algorithm identifier included),
 * not KEYID_PUBKEY_SHA1, the SHA-1 of the subjectPublicKey BIT STRING contents (the PKCS#1 RSAPublicKey / EC point)
 * that X.509 subjectKeyIdentifiers use (`pki --keyid` prints both: "subjectPublicKeyInfo hash" and
 * "subjectKeyIdentifier"). The real strongSwan 6.0.6 run in test-vectors/strongswan confirms it: its AIK attribute
 * carries a 294-byte RSA SPKI whose SHA-1 is the device ID 9e0da5012ec179fcb271467b85e0be68fd702d3b that its OS IMC
 * sent; the SHA-1 of the RSAPublicKey inside is 3caef022…, which appears nowhere.
 */
import { createHash } from 'node:crypto';
import { TCG_HANDLES, TPM_RH, hexHandle } from './constants.js';
import { TpmError } from './errors.js';
import { publicKeyToPem, publicKeyToSpki } from './crypto/keys.js';
import { encodePublic2b, objectName, type TpmtPublic } from './structures/tpmt-public.js';
import type { AuthRef } from './sessions/authorization.js';
import { aikTemplate, srkTemplate, type KeyAlg } from './templates.js';
import type { Tpm } from './tpm.js';
import { toHex } from '@tncjs/common';

export interface Aik {
  /** Persistent (or, when not persisted, transient) handle. */
  handle: number;
  public: TpmtPublic;
  name: Uint8Array;
  /** TPM2B_PUBLIC (tpm2-tools `.pub`; strongSwan logs it as "public key blob"). */
  publicBlob: Uint8Array;
  /** DER SubjectPublicKeyInfo (strongSwan's aikPub.der). */
  spki: Uint8Array;
  pem: string;
  /** strongSwan's device ID: lower-case hex SHA-1 of the SPKI. */
  deviceId: string;
}

/** SHA-1 of the DER SubjectPublicKeyInfo (strongSwan KEYID_PUBKEY_INFO_SHA1). */
export function keyIdPubkeyInfoSha1(spki: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(spki).digest());
}

/** strongSwan's device ID of a public key: lower-case hex KEYID_PUBKEY_INFO_SHA1. */
export function deviceId(key: TpmtPublic | Uint8Array): string {
  return toHex(keyIdPubkeyInfoSha1(key instanceof Uint8Array ? key : publicKeyToSpki(key)));
}

/** Everything a verifier needs about an AIK, from its public area. */
export function aikFromPublic(pub: TpmtPublic, handle: number): Aik {
  const spki = publicKeyToSpki(pub);
  return { handle, public: pub, name: objectName(pub), publicBlob: encodePublic2b(pub), spki, pem: publicKeyToPem(pub), deviceId: deviceId(spki) };
}

/** Read an existing AIK (persistent or loaded). */
export async function readAik(tpm: Tpm, handle: number = TCG_HANDLES.AIK): Promise<Aik> {
  const { public: pub } = await tpm.readPublic(handle);
  return aikFromPublic(pub, handle);
}

export interface CreateAikOptions {
  alg?: KeyAlg;
  /** Persistent handle (default 0x81010003); `null` keeps the AIK transient and loaded. */
  handle?: number | null;
  /** Persistent SRK to create under; default: a transient SRK from `srkTemplate(alg)` (flushed afterwards). */
  srk?: number;
  /** Evict an object already at `handle` first (default false: TPM_RC_NV_DEFINED is reported). */
  replace?: boolean;
  /** The AIK's authValue (default empty: strongSwan uses none). */
  userAuth?: Uint8Array;
  ownerAuth?: AuthRef;
}

/**
 * Create an AIK under the SRK and make it persistent: `tpm2_createprimary -C o` + `tpm2_create … -a
 * 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign'` + `tpm2_load` + `tpm2_evictcontrol`.
 */
export async function createAik(tpm: Tpm, opts: CreateAikOptions = {}): Promise<Aik> {
  const alg = opts.alg ?? 'rsa';
  const persist = opts.handle === undefined ? TCG_HANDLES.AIK : opts.handle;
  let srk = opts.srk;
  let transientSrk: number | undefined;
  if (srk === undefined) {
    transientSrk = (await tpm.createPrimary(TPM_RH.OWNER, srkTemplate(alg), { auth: opts.ownerAuth })).handle;
    srk = transientSrk;
  }
  try {
    const created = await tpm.create(srk, aikTemplate(alg), { sensitive: { userAuth: opts.userAuth } });
    const loaded = await tpm.load(srk, created.private, created.public);
    if (persist === null) return aikFromPublic(created.public, loaded.handle);
    try {
      if (opts.replace) {
        await tpm.evictControl(persist, persist, { auth: opts.ownerAuth }).catch((e) => {
          if (!(e instanceof TpmError)) throw e;
        });
      }
      await tpm.evictControl({ handle: loaded.handle, name: loaded.name }, persist, { auth: opts.ownerAuth });
    } finally {
      await tpm.flushContext(loaded.handle);
    }
    tpm.log.log('PTS', 1, () => `AIK ${hexHandle(persist)} created, device ID is ${deviceId(created.public)}`);
    return aikFromPublic(created.public, persist);
  } finally {
    if (transientSrk !== undefined) await tpm.flushContext(transientSrk).catch(() => {});
  }
}

/** The strongswan.conf lines that point strongSwan's attestation IMC and OS IMC at this AIK. */
export function strongswanAikConfig(aik: Aik, pubkeyPath = '/etc/pts/aikPub.der'): string {
  return [
    'libimcv {',
    '  plugins {',
    '    imc-attestation {',
    `      aik_handle = ${hexHandle(aik.handle)}`,
    `      aik_pubkey = ${pubkeyPath}`,
    '    }',
    '    imc-os {',
    `      device_pubkey = ${pubkeyPath}`,
    '    }',
    '  }',
    '}',
  ].join('\n');
}
