/**
 * Test helper: a machine booted as in the seed — swtpm started as a TPM 2.0 platform (TPM2_Startup at locality 3), a
 * fresh AIK, the seed's 23 BIOS events and an IMA log (boot_aggregate + N files) written to a temporary directory and
 * measured into swtpm's SHA-1 and SHA-256 banks. `tamperImaEntry` rewrites one IMA entry after the PCRs were
 * extended, as an attacker who edits the log would.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { TPM_ALG, createAik, type Tpm, type Aik } from '@tncjs/tss';
import { encodeEventLog, encodeImaLog, dngField, nngField, EventType } from '@tncjs/pts';
import { startSwtpm, type SwtpmInstance } from './swtpm.js';

const enc = new TextEncoder();
const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

/** swtpm started as a TPM 2.0 platform does: TPM2_Startup at locality 3, so PCR 0 starts at 00…03. */
export async function platformTpm(): Promise<{ swtpm: SwtpmInstance; tpm: Tpm; aik: Aik }> {
  const swtpm = await startSwtpm({ needInit: true });
  const tpm = await swtpm.open();
  await tpm.control!.init();
  await tpm.control!.setLocality(3);
  await tpm.startup('clear');
  await tpm.control!.setLocality(0);
  const aik = await createAik(tpm, { alg: 'rsa' });
  return { swtpm, tpm, aik };
}

/** Measure into swtpm's sha1 and sha256 banks. */
export async function extend(tpm: Tpm, pcr: number, d1: Uint8Array, d256: Uint8Array): Promise<void> {
  await tpm.pcrExtend(pcr, [
    { hashAlg: TPM_ALG.SHA1, digest: d1 },
    { hashAlg: TPM_ALG.SHA256, digest: d256 },
  ]);
}

export type BiosEvent = { pcrIndex: number; eventType: number; data: Uint8Array };

/** The seed's 23 BIOS events (PCR, type, data). */
export function seedBiosEvents(): BiosEvent[] {
  const ev = (pcrIndex: number, eventType: number, data: string | Uint8Array) => ({ pcrIndex, eventType, data: typeof data === 'string' ? enc.encode(data) : data });
  return [
    ev(0, EventType.EV_S_CRTM_VERSION, new Uint8Array(16)),
    ev(0, EventType.EV_POST_CODE, new Uint8Array(16).fill(1)),
    ev(2, 0x80000003, new Uint8Array(32).fill(2)),
    ev(2, EventType.EV_EVENT_TAG, new Uint8Array(32).fill(3)),
    ev(2, EventType.EV_EVENT_TAG, new Uint8Array(32).fill(4)),
    ev(0, 0x80000009, new Uint8Array(32).fill(5)),
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((p) => ev(p, EventType.EV_SEPARATOR, new Uint8Array(4))),
    ev(4, EventType.EV_ACTION, 'Calling INT 19h'),
    ev(4, EventType.EV_ACTION, 'Returned INT 19h'),
    ev(4, EventType.EV_ACTION, 'Booting Bcv Device P0: SAMSUNG MZ7TE128HMGR-00004'),
    ev(4, 0x0000000d, new Uint8Array(0)),
    ev(5, 0x0000000e, new Uint8Array(0)),
    ...[8, 9, 10, 11].map((p) => ev(p, 0x0000000c, new Uint8Array(4).fill(p))),
  ];
}

/** The seed's 1,286 IMA files after boot_aggregate (1,287 entries in all). */
export function seedImaFiles(n = 1286): string[] {
  return Array.from({ length: n }, (_, i) => `/usr/lib/x86_64-linux-gnu/lib${i}.so.1`);
}

export interface Machine {
  dir: string;
  bios: string;
  ima: string;
  imaCount: number;
  /** The tnc_config written into `dir`. */
  tncConfig: string;
}

export interface BootOptions {
  /** Index of an IMA entry (1 … N) whose file digest is changed in the log after the TPM was extended. */
  tamperImaEntry?: number;
  /** Content of `dir/tnc_config`. */
  tncConfig?: string;
}

/** Write a BIOS log and an IMA log and extend swtpm's PCRs as firmware and the kernel would. */
export async function bootMachine(tpm: Tpm, biosEvents: BiosEvent[], imaFiles: string[], opts: BootOptions = {}): Promise<Machine> {
  const dir = mkdtempSync(join(tmpdir(), 'tncjs-pts-'));
  const biosLog = encodeEventLog(biosEvents, { banks: ['sha1', 'sha256'] });
  for (const e of biosEvents) await extend(tpm, e.pcrIndex, sha1(e.data), sha256(e.data));
  // the kernel's boot_aggregate: SHA-1 over PCR 0–7 of the TPM
  const pcrs = await tpm.pcrRead([{ hash: TPM_ALG.SHA1, pcrs: [0, 1, 2, 3, 4, 5, 6, 7] }]);
  const aggregate = sha1(Buffer.concat(pcrs.values.map((v) => v.value)));
  const entries = [{ templateName: 'ima-ng', fields: [dngField('sha1', aggregate), nngField('boot_aggregate')] }];
  for (const f of imaFiles) entries.push({ templateName: 'ima-ng', fields: [dngField('sha256', sha256(enc.encode(f))), nngField(f)] });
  // PCR 10: the sha1 template digests as logged (sha256 bank: the kernel's own hash of the same template data)
  for (const e of entries) {
    const data = Buffer.concat(e.fields.flatMap((x) => [Buffer.from(new Uint32Array([x.byteLength]).buffer), Buffer.from(x)]));
    await extend(tpm, 10, sha1(data), sha256(data));
  }
  const t = opts.tamperImaEntry;
  if (t !== undefined) {
    if (t < 1 || t >= entries.length) throw new RangeError(`no IMA entry ${t} to tamper with`);
    entries[t] = { templateName: 'ima-ng', fields: [dngField('sha256', sha256(enc.encode('trojan'))), nngField(imaFiles[t - 1])] };
  }
  const imaLog = encodeImaLog(entries);
  const bios = join(dir, 'binary_bios_measurements');
  const ima = join(dir, 'binary_runtime_measurements');
  const tncConfig = join(dir, 'tnc_config');
  writeFileSync(bios, biosLog);
  writeFileSync(ima, imaLog);
  writeFileSync(tncConfig, opts.tncConfig ?? 'IMC "OS" /usr/lib/ipsec/imcvs/imc-os.so\n');
  return { dir, bios, ima, imaCount: entries.length, tncConfig };
}
