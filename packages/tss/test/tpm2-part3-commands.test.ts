/**
 * TPM 2.0 Part 3 commands against a real TPM (swtpm): every command the stack offers, RSA and ECC where it matters.
 * swtpm has three transient object slots and no resource manager, so every test flushes what it loads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { toHex, equalBytes, Writer } from '@tncjs/common';
import {
  Tpm,
  TPM_ALG,
  TPM_RH,
  TPM_CAP,
  TPM_PT,
  HR,
  TPMA_SESSION,
  TpmError,
  createEk,
  ekTemplate,
  srkTemplate,
  signingKeyTemplate,
  aikTemplate,
  objectName,
  publicKeyToSpki,
  verifySignature,
  makeCredential,
  activateCredentialWithEk,
  extendValue,
  computePcrDigest,
  policyDigest,
  EK_POLICY_SHA256,
  parsePcrSelection,
  decodeContext,
  encodeContext,
  tpm2VersionInfoFromProperties,
  type KeyAlg,
} from '../src/index.js';
import { startSwtpm, type SwtpmInstance } from '../../../test-support/swtpm.js';
import { jest } from '@jest/globals';

// real TPM work: RSA key generation in swtpm can take seconds on a loaded CI machine
jest.setTimeout(30_000);

let swtpm: SwtpmInstance;
let tpm: Tpm;

beforeAll(async () => {
  swtpm = await startSwtpm();
  tpm = await swtpm.open();
});

afterAll(async () => {
  await tpm?.close();
  await swtpm?.stop();
});

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

async function withObject<T>(handle: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await tpm.flushContext(handle);
  }
}

describe('Part 3 §9, §10, §16: start-up, testing, random', () => {
  test('TPM2_Startup on a started TPM is TPM_RC_INITIALIZE', async () => {
    await expect(tpm.startup('clear')).rejects.toMatchObject({ code: 'ERR_TPM_RC', rcName: 'TPM_RC_INITIALIZE', rc: 0x100 });
  });

  test('TPM2_SelfTest and TPM2_GetTestResult', async () => {
    await tpm.selfTest(true);
    expect((await tpm.getTestResult()).testResult).toBe(0);
  });

  test('TPM2_GetRandom of 1, 64 and 200 bytes (several calls)', async () => {
    for (const n of [1, 64, 200]) expect((await tpm.getRandom(n)).length).toBe(n);
    const a = await tpm.getRandom(32);
    const b = await tpm.getRandom(32);
    expect(equalBytes(a, b)).toBe(false);
  });
});

describe('Part 3 §30 TPM2_GetCapability', () => {
  test('manufacturer, vendor strings, firmware version, spec revision, PCR banks and allocation', async () => {
    const info = await tpm.getInfo();
    expect(info.family).toBe('2.0');
    expect(info.manufacturer).toBe('IBM');
    expect(info.vendorString).toBe('SW   TPM');
    expect(info.firmwareVersion[0]).toBeGreaterThan(0);
    expect(info.revision).toBeGreaterThanOrEqual(138);
    expect(info.pcrCount).toBe(24);
    expect(info.pcrBanks.map((b) => b.hash)).toEqual([TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384, TPM_ALG.SHA512]);
    for (const b of info.pcrBanks) expect(b.pcrs).toHaveLength(24);
    expect(info.properties.get(TPM_PT.HR_TRANSIENT_MIN)).toBe(3);
    expect(toHex(tpm2VersionInfoFromProperties(info.properties))).toBe('0200000300000' + info.revision.toString(16).padStart(3, '0') + info.year.toString(16).padStart(8, '0') + '49424d00');
  });

  test('algorithms, curves, paging through TPM properties one at a time', async () => {
    const algs = (await tpm.getAlgorithms()).map((a) => a.alg);
    expect(algs).toEqual(expect.arrayContaining([TPM_ALG.RSA, TPM_ALG.ECC, TPM_ALG.SHA256, TPM_ALG.AES, TPM_ALG.RSASSA, TPM_ALG.ECDSA]));
    expect(await tpm.getEccCurves()).toContain(3);
    const one = await tpm.getCapability(TPM_CAP.TPM_PROPERTIES, TPM_PT.MANUFACTURER, 1);
    expect(one.moreData).toBe(true);
    expect(one.data).toEqual({ capability: TPM_CAP.TPM_PROPERTIES, properties: [{ property: TPM_PT.MANUFACTURER, value: 0x49424d00 }] });
  });
});

describe('Part 3 §22 PCRs', () => {
  test('TPM2_PCR_Read of every bank: 96 PCRs in pages of at most 8', async () => {
    const sel = 'sha1:all+sha256:all+sha384:all+sha512:all';
    const pages: number[] = [];
    const orig = tpm.transport.transmit.bind(tpm.transport);
    tpm.transport.transmit = async (c, o) => {
      if (c[9] === 0x7e) pages.push(1);
      return orig(c, o);
    };
    try {
      const r = await tpm.pcrRead(sel);
      expect(r.values).toHaveLength(96);
      expect(r.missing).toEqual([]);
      expect(r.values.map((v) => v.value.length)).toEqual([...Array(24).fill(20), ...Array(24).fill(32), ...Array(24).fill(48), ...Array(24).fill(64)]);
      expect(pages.length).toBeGreaterThanOrEqual(12);
    } finally {
      tpm.transport.transmit = orig;
    }
  });

  test('TPM2_PCR_Extend of two banks, read back, compared with H(old ‖ digest)', async () => {
    const before = await tpm.pcrRead('sha1:16+sha256:16');
    const d1 = new Uint8Array(randomBytes(20));
    const d256 = new Uint8Array(randomBytes(32));
    await tpm.pcrExtend(16, [
      { hashAlg: TPM_ALG.SHA1, digest: d1 },
      { hashAlg: TPM_ALG.SHA256, digest: d256 },
    ]);
    const after = await tpm.pcrRead('sha1:16+sha256:16');
    expect(toHex(after.values[0].value)).toBe(toHex(extendValue(TPM_ALG.SHA1, before.values[0].value, d1)));
    expect(toHex(after.values[1].value)).toBe(toHex(extendValue(TPM_ALG.SHA256, before.values[1].value, d256)));
    // PCR 16 is a debug PCR: extending it does not count in pcrUpdateCounter (Part 2 §6.13 TPM_PT_PCR_NO_INCREMENT)
    expect(after.updateCounter).toBeGreaterThanOrEqual(before.updateCounter);
  });

  test('TPM2_PCR_Event hashes with every bank; TPM2_PCR_Reset clears PCR 16', async () => {
    const data = new TextEncoder().encode('tncjs measured this');
    const digests = await tpm.pcrEvent(16, data);
    expect(digests.find((d) => d.hashAlg === TPM_ALG.SHA256)?.digest).toEqual(sha256(data));
    await tpm.pcrReset(16);
    expect(toHex((await tpm.pcrRead('sha256:16')).values[0].value)).toBe('00'.repeat(32));
  });

  test('selections the TPM cannot serve are errors naming the parameter', async () => {
    await expect(tpm.pcrRead([{ hash: TPM_ALG.SHA256, pcrs: [0, 27], sizeofSelect: 4 }])).rejects.toMatchObject({ rcName: 'TPM_RC_VALUE', decoded: { parameter: 1 } });
    await expect(tpm.pcrRead([{ hash: TPM_ALG.SHA3_256, pcrs: [0] }])).rejects.toMatchObject({ rcName: 'TPM_RC_HASH', decoded: { parameter: 1 } });
  });
});

describe.each(['rsa', 'ecc'] as KeyAlg[])('%s keys: Part 3 §24 CreatePrimary, §12 Create/Load/ReadPublic, §20 Sign, §28 contexts', (alg) => {
  test('TPM2_CreatePrimary of the EK is deterministic and has the TCG policy', async () => {
    const a = await createEk(tpm, alg);
    await tpm.flushContext(a.handle);
    const b = await createEk(tpm, alg);
    await withObject(b.handle, async () => {
      expect(toHex(a.name)).toBe(toHex(b.name));
      expect(b.public.authPolicy).toEqual(EK_POLICY_SHA256);
      expect(b.public.type).toBe(alg === 'rsa' ? TPM_ALG.RSA : TPM_ALG.ECC);
      const rp = await tpm.readPublic(b.handle);
      expect(toHex(rp.name)).toBe(toHex(b.name));
      expect(toHex(rp.publicBytes)).toBe(toHex(b.publicBytes));
    });
  });

  test('TPM2_Create + TPM2_Load + TPM2_Sign (unrestricted key), verified in software', async () => {
    const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate(alg));
    await withObject(srk.handle, async () => {
      const key = await tpm.create(srk.handle, signingKeyTemplate(alg));
      expect(key.creationData.parentName).toEqual(srk.name);
      const loaded = await tpm.load(srk.handle, key.private, key.public);
      expect(toHex(loaded.name)).toBe(toHex(objectName(key.public)));
      await withObject(loaded.handle, async () => {
        const msg = new TextEncoder().encode('sign me');
        const { signature } = await tpm.sign(loaded.handle, sha256(msg));
        expect(signature.sigAlg).toBe(alg === 'rsa' ? TPM_ALG.RSASSA : TPM_ALG.ECDSA);
        expect(verifySignature(msg, signature, key.public)).toBe(true);
        expect(verifySignature(new TextEncoder().encode('other'), signature, key.public)).toBe(false);
        expect(verifySignature(msg, signature, publicKeyToSpki(key.public))).toBe(true);
      });
    });
  });

  test('a restricted key signs only with a TPM2_Hash ticket', async () => {
    const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate(alg));
    await withObject(srk.handle, async () => {
      const key = await tpm.create(srk.handle, aikTemplate(alg));
      const loaded = await tpm.load(srk.handle, key.private, key.public);
      await withObject(loaded.handle, async () => {
        const msg = new TextEncoder().encode('hash me first');
        await expect(tpm.sign(loaded.handle, sha256(msg))).rejects.toMatchObject({ rcName: 'TPM_RC_TICKET' });
        const h = await tpm.hash(msg, TPM_ALG.SHA256, TPM_RH.OWNER);
        expect(h.digest).toEqual(sha256(msg));
        const { signature } = await tpm.sign(loaded.handle, h.digest, { validation: h.validation });
        expect(verifySignature(msg, signature, key.public)).toBe(true);
      });
    });
  });

  test('TPM2_ContextSave, TPM2_FlushContext, TPM2_ContextLoad, and the object still works', async () => {
    const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate(alg));
    const ctx = decodeContext(encodeContext(await tpm.contextSave(srk.handle)));
    await tpm.flushContext(srk.handle);
    await expect(tpm.readPublic(srk.handle)).rejects.toMatchObject({ code: 'ERR_TPM_RC' });
    const h = await tpm.contextLoad(ctx);
    await withObject(h, async () => {
      expect(toHex((await tpm.readPublic(h)).name)).toBe(toHex(srk.name));
    });
  });

  test('TPM2_EvictControl: persist, list, read, remove', async () => {
    const handle = alg === 'rsa' ? 0x81000101 : 0x81000102;
    const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate(alg));
    await withObject(srk.handle, () => tpm.evictControl(srk.handle, handle));
    expect(await tpm.getHandles(HR.PERSISTENT)).toContain(handle);
    expect(toHex((await tpm.readPublic(handle)).name)).toBe(toHex(srk.name));
    await expect(tpm.evictControl(handle, handle, { authHandle: TPM_RH.ENDORSEMENT })).rejects.toMatchObject({ code: 'ERR_TPM_RC' });
    await tpm.evictControl(handle, handle);
    expect(await tpm.getHandles(HR.PERSISTENT)).not.toContain(handle);
  });

  test('TPM2_MakeCredential on the TPM and in software are both accepted by TPM2_ActivateCredential', async () => {
    const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate(alg));
    const key = await withObject(srk.handle, async () => {
      const k = await tpm.create(srk.handle, aikTemplate(alg));
      const l = await tpm.load(srk.handle, k.private, k.public);
      return { ...k, ...l };
    });
    await withObject(key.handle, async () => {
      const ek = await createEk(tpm, alg);
      await withObject(ek.handle, async () => {
        const credential = new Uint8Array(randomBytes(16));
        const onTpm = await tpm.makeCredential(ek.handle, credential, key.name);
        const inTs = makeCredential(ek.public, credential, key.name);
        expect(toHex(onTpm.credentialBlob)).not.toBe(toHex(inTs.credentialBlob));
        for (const mc of [onTpm, inTs]) {
          expect(toHex(await activateCredentialWithEk(tpm, { aik: key.handle, ek: ek.handle, ...mc }))).toBe(toHex(credential));
        }
        const wrongName = makeCredential(ek.public, credential, objectName(ekTemplate(alg)));
        await expect(activateCredentialWithEk(tpm, { aik: key.handle, ek: ek.handle, ...wrongName })).rejects.toMatchObject({ rcName: 'TPM_RC_INTEGRITY' });
      });
    });
  });
});

describe('Part 3 §11 sessions and §23 policies', () => {
  test('HMAC sessions, unbound: unsalted, salted with the RSA EK, salted with the ECC EK; nonces roll, responses verify', async () => {
    for (const salt of [undefined, 'rsa', 'ecc'] as const) {
      const ek = salt ? await createEk(tpm, salt) : undefined;
      try {
        const s = await tpm.startAuthSession({ type: 'hmac', salt: ek ? { handle: ek.handle, public: ek.public } : undefined });
        for (let i = 0; i < 3; i++) await tpm.pcrExtend(16, [{ hashAlg: TPM_ALG.SHA256, digest: new Uint8Array(32).fill(i) }], { session: s });
        await tpm.flushContext(s.handle);
      } finally {
        if (ek) await tpm.flushContext(ek.handle);
      }
    }
  });

  test('an HMAC session without continueSession is flushed by the TPM after one use', async () => {
    const s = await tpm.startAuthSession({ attributes: 0 });
    await tpm.pcrExtend(16, [{ hashAlg: TPM_ALG.SHA256, digest: new Uint8Array(32) }], { session: s });
    expect(s.closed).toBe(true);
    await expect(tpm.flushContext(s.handle)).rejects.toMatchObject({ code: 'ERR_TPM_RC' });
  });

  test('a bound session authorizes its bind entity (authValue in the session key)', async () => {
    const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate('ecc'));
    await withObject(srk.handle, async () => {
      const auth = new TextEncoder().encode('bound secret');
      const key = await tpm.create(srk.handle, signingKeyTemplate('ecc'), { sensitive: { userAuth: auth } });
      const l = await tpm.load(srk.handle, key.private, key.public);
      await withObject(l.handle, async () => {
        const s = await tpm.startAuthSession({ bind: { handle: l.handle, name: l.name, authValue: auth } });
        const { signature } = await tpm.sign(l.handle, sha256(new Uint8Array(1)), { auth: { session: s, authValue: auth } });
        expect(verifySignature(new Uint8Array(1), signature, key.public)).toBe(true);
        await tpm.flushContext(s.handle);
      });
    });
  });

  test('TPM2_PolicySecret(TPM_RH_ENDORSEMENT) yields the EK authPolicy; TPM2_PolicyPCR matches the software digest', async () => {
    const s = await tpm.startAuthSession({ type: 'trial' });
    await tpm.policySecret(TPM_RH.ENDORSEMENT, s);
    expect(toHex(await tpm.policyGetDigest(s))).toBe(toHex(EK_POLICY_SHA256));
    await tpm.policyRestart(s);
    const sel = parsePcrSelection('sha256:0,1,2');
    const values = (await tpm.pcrRead(sel)).values;
    const pcrDigest = computePcrDigest(TPM_ALG.SHA256, sel, values);
    await tpm.policyPCR(s, sel, pcrDigest);
    expect(toHex(await tpm.policyGetDigest(s))).toBe(toHex(policyDigest.pcr(policyDigest.initial(), sel, pcrDigest)));
    await tpm.flushContext(s.handle);
  });

  test('policy sessions with PolicyAuthValue and PolicyPassword authorize an adminWithPolicy object', async () => {
    const auth = new TextEncoder().encode('admin pw');
    for (const kind of ['authValue', 'password'] as const) {
      const policy = policyDigest.authValue(policyDigest.initial());
      const template = { ...signingKeyTemplate('ecc'), authPolicy: policy, objectAttributes: signingKeyTemplate('ecc').objectAttributes & ~(1 << 6) };
      const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate('ecc'));
      await withObject(srk.handle, async () => {
        const key = await tpm.create(srk.handle, template, { sensitive: { userAuth: auth } });
        const l = await tpm.load(srk.handle, key.private, key.public);
        await withObject(l.handle, async () => {
          await expect(tpm.sign(l.handle, sha256(new Uint8Array(2)), { auth: { authValue: auth } })).rejects.toMatchObject({ rcName: 'TPM_RC_AUTH_UNAVAILABLE' });
          const s = await tpm.startAuthSession({ type: 'policy' });
          if (kind === 'authValue') await tpm.policyAuthValue(s);
          else await tpm.policyPassword(s);
          const { signature } = await tpm.sign(l.handle, sha256(new Uint8Array(2)), { auth: { session: s, authValue: auth } });
          expect(verifySignature(new Uint8Array(2), signature, key.public)).toBe(true);
          await tpm.flushContext(s.handle);
        });
      });
    }
  });
});

describe('errors: wrong password → TPM_RC_AUTH_FAIL with its name', () => {
  async function withKey(noDA: boolean, fn: (handle: number, pub: import('../src/index.js').TpmtPublic) => Promise<void>) {
    const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate('rsa'));
    await withObject(srk.handle, async () => {
      const tpl = signingKeyTemplate('ecc');
      if (noDA) tpl.objectAttributes |= 1 << 10;
      const key = await tpm.create(srk.handle, tpl, { sensitive: { userAuth: new TextEncoder().encode('right') } });
      const l = await tpm.load(srk.handle, key.private, key.public);
      await withObject(l.handle, () => fn(l.handle, key.public));
    });
  }

  afterEach(async () => {
    await tpm.dictionaryAttackLockReset();
  });

  test.each(['password', 'hmac'] as const)('DA-protected key, %s session: TPM_RC_AUTH_FAIL (0x98e), session 1', async (kind) => {
    await withKey(false, async (handle, pub) => {
      const session = kind === 'hmac' ? await tpm.startAuthSession() : undefined;
      try {
        await tpm.sign(handle, sha256(new Uint8Array(3)), { auth: { session, authValue: 'wrong' } });
        throw new Error('signed with a wrong password');
      } catch (e) {
        expect(e).toBeInstanceOf(TpmError);
        const err = e as TpmError;
        expect(err.rcName).toBe('TPM_RC_AUTH_FAIL');
        expect(err.rc).toBe(0x98e);
        expect(err.decoded.session).toBe(1);
        expect(err.message).toBe('TPM2_Sign failed: TPM_RC_AUTH_FAIL (0x98e): the authorization HMAC check failed and the DA counter was incremented (wrong password or authValue) (session 1)');
      }
      const ok = await tpm.sign(handle, sha256(new Uint8Array(3)), { auth: { session, authValue: 'right' } });
      expect(verifySignature(new Uint8Array(3), ok.signature, pub)).toBe(true);
      if (session) await tpm.flushContext(session.handle);
    });
  });

  test('noDA key: TPM_RC_BAD_AUTH (no dictionary-attack implications)', async () => {
    await withKey(true, async (handle) => {
      await expect(tpm.sign(handle, sha256(new Uint8Array(3)), { auth: { authValue: 'wrong' } })).rejects.toMatchObject({ rcName: 'TPM_RC_BAD_AUTH', rc: 0x9a2 });
    });
  });

  test('parameter errors name the parameter: TPM2_GetCapability with a bad capability', async () => {
    await expect(tpm.getCapability(0x100, 0, 1)).rejects.toMatchObject({ rcName: 'TPM_RC_VALUE', decoded: { parameter: 1 } });
  });

  test('a raw command with a bad command code', async () => {
    await expect(tpm.execute({ commandCode: 0x1ff })).rejects.toMatchObject({ rcName: 'TPM_RC_COMMAND_CODE' });
  });

  test('sessions are not mixed up after an error (nonces stay in step)', async () => {
    const s = await tpm.startAuthSession();
    await expect(tpm.execute({ commandCode: 0x182, handles: [99], auths: [{ session: s }], params: new Writer(4).u32(0).finish() })).rejects.toBeInstanceOf(TpmError);
    await tpm.pcrExtend(16, [{ hashAlg: TPM_ALG.SHA256, digest: new Uint8Array(32) }], { session: s });
    await tpm.flushContext(s.handle);
    expect(TPMA_SESSION.continueSession).toBe(1);
  });
});

describe('Part 3 §23.7 TPM2_PolicyPCR authorizing a key', () => {
  test('a key sealed to PCR values signs while they hold, and not after an extend', async () => {
    const sel = parsePcrSelection('sha256:16');
    await tpm.pcrReset(16);
    const pcrDigest = computePcrDigest(TPM_ALG.SHA256, sel, (await tpm.pcrRead(sel)).values);
    const base = signingKeyTemplate('ecc');
    const template = { ...base, authPolicy: policyDigest.pcr(policyDigest.initial(), sel, pcrDigest), objectAttributes: base.objectAttributes & ~(1 << 6) };
    const srk = await tpm.createPrimary(TPM_RH.OWNER, srkTemplate('ecc'));
    const key = await withObject(srk.handle, async () => {
      const k = await tpm.create(srk.handle, template);
      return { ...k, ...(await tpm.load(srk.handle, k.private, k.public)) };
    });
    await withObject(key.handle, async () => {
      const s = await tpm.startAuthSession({ type: 'policy' });
      await tpm.policyPCR(s, sel);
      const { signature } = await tpm.sign(key.handle, sha256(new Uint8Array(5)), { auth: { session: s } });
      expect(verifySignature(new Uint8Array(5), signature, key.public)).toBe(true);
      await tpm.pcrExtend(16, [{ hashAlg: TPM_ALG.SHA256, digest: new Uint8Array(32).fill(5) }]);
      await tpm.policyRestart(s);
      await tpm.policyPCR(s, sel);
      await expect(tpm.sign(key.handle, sha256(new Uint8Array(5)), { auth: { session: s } })).rejects.toMatchObject({ rcName: 'TPM_RC_POLICY_FAIL', decoded: { session: 1 } });
      await tpm.flushContext(s.handle);
    });
  });
});
