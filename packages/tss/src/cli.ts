/**
 * The operator CLI, as a library function: `runTpmCli(argv, io)` implements
 *
 *     tpm info        [--json]
 *     tpm pcrread     [<selection>] [--json]                               (default: every allocated bank)
 *     tpm aik create  [--alg rsa|ecc] [--handle 0x81010003] [--replace] [--der aikPub.der] [--pub aik.pub] [--pem aik.pem] [--json]
 *     tpm quote       --key <handle> --pcrs <selection> [--nonce <hex>] [--message f] [--signature f] [--pcr-values f] [--json]
 *     tpm checkquote  --key <aikPub.der|aik.pem|aik.pub> --message f --signature f [--pcrs <selection> --pcr-values f] [--nonce <hex>] [--json]
 *
 * with `-T/--tpm <spec>` choosing the TPM (else TNCJS_TPM / TPM2TOOLS_TCTI / TCTI, else /dev/tpmrm0). Files are
 * tpm2-tools formats: the quote message is TPMS_ATTEST, the signature TPMT_SIGNATURE, PCR values are concatenated
 * digests in selection order (`tpm2_quote -F values`, `tpm2_pcrread -o`). The `tncjs` binary routes `tncjs tpm …`
 * here. Exit codes: 0 success, 1 failure (TPM error, verification failure), 2 usage error.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fromHex, isTncjsError, toHex, type Json } from '@tncjs/common';
import { algName, hexHandle, TCG_HANDLES, TPM_ALG, TPM_ECC_NAMES } from './constants.js';
import { createAik, deviceId, strongswanAikConfig } from './aik.js';
import type { PcrValue } from './commands/pcr.js';
import { publicAreaFromKey } from './crypto/keys.js';
import { verifyQuote, type VerificationKey } from './quote.js';
import { decodeAttest } from './structures/tpms-attest.js';
import { decodePublic2b, type TpmtPublic } from './structures/tpmt-public.js';
import { decodeSignature, type TpmtSignature } from './structures/tpmt-signature.js';
import { formatPcrSelection, parsePcrSelection, type PcrSelection } from './structures/tpml-pcr-selection.js';
import { Tpm } from './tpm.js';
import { tpm2VersionInfoFromProperties, strongswanTpm2InfoLine } from './version-info.js';

export interface TpmCliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Environment for TPM selection (default process.env). */
  env?: Record<string, string | undefined>;
  /** Directory relative file names are resolved against (default process.cwd()). */
  cwd?: string;
  /** How to reach the TPM (default: `Tpm.open(spec, { env })`). */
  openTpm?(spec: string | undefined): Promise<Tpm>;
}

const USAGE = `usage: tncjs tpm <command> [options]

commands:
  info                         TPM manufacturer, firmware, spec revision, PCR banks, strongSwan version info
  pcrread [<selection>]        read PCRs (tpm2-tools selection: sha256:0,1,2+sha1:all; default: all banks)
  aik create                   create an AIK under the SRK and make it persistent
      --alg rsa|ecc            key type (default rsa)
      --handle <0x81…>         persistent handle (default 0x81010003)
      --replace                evict an object already at the handle
      --der <file>             write the public key as DER SubjectPublicKeyInfo (strongSwan aikPub.der)
      --pub <file>             write the TPM2B_PUBLIC blob (tpm2-tools .pub)
      --pem <file>             write the public key as PEM
  quote                        quote PCRs with an AIK
      --key <handle>           the AIK (default 0x81010003)
      --pcrs <selection>       PCRs to quote (default sha256:0-7)
      --nonce <hex>            qualifying data (default: 20 random bytes)
      --message <file>         write TPMS_ATTEST (tpm2_quote -m)
      --signature <file>       write TPMT_SIGNATURE (tpm2_quote -s)
      --pcr-values <file>      write the quoted PCR values (tpm2_quote -o -F values)
  checkquote                   verify a quote without a TPM
      --key <file>             AIK public key: DER SPKI, PEM or TPM2B_PUBLIC
      --message <file>         TPMS_ATTEST
      --signature <file>       TPMT_SIGNATURE
      --pcrs <selection>       selection the PCR values file follows (default: the quote's own)
      --pcr-values <file>      PCR values to recompute the digest from
      --nonce <hex>            expected qualifying data

options:
  -T, --tpm <spec>             device:/dev/tpmrm0, swtpm:tcp://127.0.0.1:2321, swtpm:unix:///path, swtpm:port=2321
  --json                       print JSON instead of text
  -h, --help                   this help
`;

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  opts: Map<string, string | true>;
}

const FLAGS = new Set(['json', 'replace', 'help']);
const ALIASES: Record<string, string> = { T: 'tpm', tcti: 'tpm', h: 'help', c: 'key', l: 'pcrs', q: 'nonce', m: 'message', s: 'signature', o: 'pcr-values', u: 'key' };

function parseArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const opts = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const m = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/.exec(a);
    if (!m || /^-\d/.test(a)) {
      positional.push(a);
      continue;
    }
    const name = ALIASES[m[1]] ?? m[1];
    if (FLAGS.has(name)) {
      opts.set(name, true);
      continue;
    }
    const v = m[2] ?? argv[++i];
    if (v === undefined) throw new UsageError(`option --${name} needs a value`);
    opts.set(name, v);
  }
  return { positional, opts };
}

function opt(p: Parsed, name: string): string | undefined {
  const v = p.opts.get(name);
  return typeof v === 'string' ? v : undefined;
}

function parseHandle(s: string): number {
  const n = /^0x[0-9a-f]{1,8}$/i.test(s) ? Number.parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`invalid handle '${s}' (expected e.g. 0x81010003)`);
  return n >>> 0;
}

function hexOpt(s: string, what: string): Uint8Array {
  try {
    return fromHex(s.replace(/^0x/i, ''));
  } catch {
    throw new UsageError(`invalid hex for ${what}: '${s}'`);
  }
}

/** tpm2_pcrread's layout: `  sha256:` then `    0 : 0xABCD…`. */
function formatPcrs(values: readonly PcrValue[]): string {
  const lines: string[] = [];
  let bank = -1;
  for (const v of values) {
    if (v.hash !== bank) {
      lines.push(`  ${algName(v.hash)}:`);
      bank = v.hash;
    }
    lines.push(`    ${String(v.pcr).padEnd(2)}: 0x${toHex(v.value).toUpperCase()}`);
  }
  return lines.join('\n') + '\n';
}

function pcrsJson(values: readonly PcrValue[]): Json {
  const out: Record<string, Record<string, string>> = {};
  for (const v of values) (out[algName(v.hash)] ??= {})[String(v.pcr)] = toHex(v.value);
  return out;
}

function signatureJson(s: TpmtSignature): Json {
  const o: Record<string, Json> = { alg: algName(s.sigAlg) };
  if ('hash' in s) o.hash = algName(s.hash);
  if ('sig' in s) o.sig = toHex(s.sig);
  if ('r' in s) {
    o.r = toHex(s.r);
    o.s = toHex(s.s);
  }
  return o;
}

/** PCR values from a concatenated-values file, interpreted with `selection`. */
function splitPcrValues(buf: Uint8Array, selection: readonly PcrSelection[]): PcrValue[] {
  const out: PcrValue[] = [];
  let at = 0;
  for (const s of selection) {
    const n = s.hash === TPM_ALG.SHA1 ? 20 : s.hash === TPM_ALG.SHA256 ? 32 : s.hash === TPM_ALG.SHA384 ? 48 : s.hash === TPM_ALG.SHA512 ? 64 : 0;
    if (!n) throw new UsageError(`cannot split PCR values of bank ${algName(s.hash)}`);
    for (const pcr of s.pcrs) {
      if (at + n > buf.length) throw new UsageError(`PCR values file is ${buf.length} bytes, too short for the selection ${formatPcrSelection(selection)}`);
      out.push({ hash: s.hash, pcr, value: buf.slice(at, at + n) });
      at += n;
    }
  }
  if (at !== buf.length) throw new UsageError(`PCR values file is ${buf.length} bytes, the selection ${formatPcrSelection(selection)} needs ${at}`);
  return out;
}

/** A key file: PEM, DER SPKI or TPM2B_PUBLIC (by content). */
function loadKey(b: Uint8Array): { key: VerificationKey; pub: TpmtPublic } {
  const text = new TextDecoder().decode(b.subarray(0, 32));
  if (text.startsWith('-----BEGIN')) {
    const pem = new TextDecoder().decode(b);
    return { key: pem, pub: publicAreaFromKey(pem) };
  }
  if (b[0] === 0x30) return { key: b, pub: publicAreaFromKey(b) };
  const pub = decodePublic2b(b);
  return { key: pub, pub };
}

/**
 * Run `tncjs tpm …` (argv without the leading `tpm`, which is skipped if present). Never throws: errors are printed
 * to `io.stderr` and turned into the exit code.
 */
export async function runTpmCli(argvIn: readonly string[], io: TpmCliIo): Promise<number> {
  const argv = argvIn[0] === 'tpm' ? argvIn.slice(1) : argvIn;
  let tpm: Tpm | undefined;
  try {
    const p = parseArgs(argv);
    const json = p.opts.has('json');
    const [cmd, sub] = p.positional;
    if (!cmd || p.opts.has('help') || cmd === 'help') {
      io.stdout(USAGE);
      return cmd || p.opts.has('help') ? 0 : 2;
    }
    const cwd = io.cwd ?? process.cwd();
    const path = (f: string) => resolve(cwd, f);
    const open = async () => (tpm = await (io.openTpm ? io.openTpm(opt(p, 'tpm')) : Tpm.open(opt(p, 'tpm'), { env: io.env ?? process.env })));
    const print = (text: string, obj: Json) => io.stdout(json ? JSON.stringify(obj, null, 2) + '\n' : text);

    switch (cmd) {
      case 'info': {
        const t = await open();
        const info = await t.getInfo();
        const vi = tpm2VersionInfoFromProperties(info.properties);
        const banks = info.pcrBanks.filter((b) => b.pcrs.length > 0);
        const fw = `${info.firmwareVersion[0] >>> 16}.${info.firmwareVersion[0] & 0xffff}.${info.firmwareVersion[1] >>> 16}.${info.firmwareVersion[1] & 0xffff}`;
        const curves = (await t.getEccCurves()).map((c) => TPM_ECC_NAMES[c] ?? String(c));
        const text = [
          `TPM: ${t.transport.description}`,
          `family: "${info.family}"`,
          `manufacturer: "${info.manufacturer}"  # raw: 0x${info.manufacturerId.toString(16).toUpperCase()}`,
          `vendor-string: "${info.vendorString}"`,
          `firmware-version: ${fw}  # raw: 0x${info.firmwareVersion[0].toString(16).toUpperCase()} 0x${info.firmwareVersion[1].toString(16).toUpperCase()}`,
          `spec: level ${info.level}, revision ${(info.revision / 100).toFixed(2)}, day ${info.dayOfYear} of ${info.year}`,
          `fips-140-2: ${info.fips1402 ? 'yes' : 'no'}`,
          `pcr-count: ${info.pcrCount}`,
          'pcr-banks:',
          ...banks.map((b) => `  ${algName(b.hash)}: ${b.pcrs.length === 0 ? 'none' : `${b.pcrs[0]}-${b.pcrs[b.pcrs.length - 1]}`}`),
          `ecc-curves: ${curves.join(', ')}`,
          `strongswan-version-info: ${toHex(vi)}`,
          `strongswan-log: "${strongswanTpm2InfoLine(info.properties)}"`,
          '',
        ].join('\n');
        print(text, {
          tpm: t.transport.description,
          family: info.family,
          manufacturer: info.manufacturer,
          manufacturerId: info.manufacturerId,
          vendorString: info.vendorString,
          firmwareVersion: fw,
          firmwareVersionRaw: info.firmwareVersion,
          level: info.level,
          revision: info.revision / 100,
          dayOfYear: info.dayOfYear,
          year: info.year,
          fips1402: info.fips1402,
          pcrCount: info.pcrCount,
          pcrBanks: Object.fromEntries(info.pcrBanks.map((b) => [algName(b.hash), b.pcrs])),
          eccCurves: curves,
          versionInfo: toHex(vi),
        });
        return 0;
      }
      case 'pcrread': {
        const t = await open();
        let sel = p.positional[1] ?? opt(p, 'pcrs');
        if (!sel) sel = formatPcrSelection((await t.getPcrBanks()).filter((b) => b.pcrs.length > 0));
        const r = await t.pcrRead(parsePcrSelection(sel));
        if (r.missing.length) io.stderr(`warning: the TPM has no ${formatPcrSelection(r.missing)}\n`);
        print(formatPcrs(r.values), { updateCounter: r.updateCounter, pcrs: pcrsJson(r.values) });
        return 0;
      }
      case 'aik': {
        if (sub !== 'create') throw new UsageError(`unknown aik command '${sub ?? ''}' (expected: aik create)`);
        const alg = opt(p, 'alg') ?? 'rsa';
        if (alg !== 'rsa' && alg !== 'ecc') throw new UsageError(`--alg must be rsa or ecc, not '${alg}'`);
        const handle = parseHandle(opt(p, 'handle') ?? hexHandle(TCG_HANDLES.AIK));
        const t = await open();
        const aik = await createAik(t, { alg, handle, replace: p.opts.has('replace') });
        const der = opt(p, 'der');
        const pub = opt(p, 'pub');
        const pem = opt(p, 'pem');
        if (der) await writeFile(path(der), aik.spki);
        if (pub) await writeFile(path(pub), aik.publicBlob);
        if (pem) await writeFile(path(pem), aik.pem);
        const text = [
          `handle: ${hexHandle(aik.handle)}`,
          `alg: ${alg === 'rsa' ? 'rsa2048:rsassa-sha256' : 'ecc256:ecdsa-sha256'}`,
          `name: ${toHex(aik.name)}`,
          `device-id: ${aik.deviceId}`,
          ...(der ? [`der: ${der}`] : []),
          ...(pub ? [`pub: ${pub}`] : []),
          ...(pem ? [`pem: ${pem}`] : []),
          'strongswan.conf:',
          ...strongswanAikConfig(aik, der ? path(der) : undefined).split('\n').map((l) => '  ' + l),
          '',
        ].join('\n');
        print(text, { handle: hexHandle(aik.handle), alg, name: toHex(aik.name), deviceId: aik.deviceId, spki: toHex(aik.spki), publicBlob: toHex(aik.publicBlob), pem: aik.pem });
        return 0;
      }
      case 'quote': {
        const handle = parseHandle(opt(p, 'key') ?? hexHandle(TCG_HANDLES.AIK));
        const sel = parsePcrSelection(opt(p, 'pcrs') ?? 'sha256:0-7');
        const t = await open();
        const nonce = opt(p, 'nonce') ? hexOpt(opt(p, 'nonce')!, '--nonce') : await t.getRandom(20);
        const q = await t.quote(handle, nonce, sel);
        const pcrs = await t.pcrRead('pcrSelect' in q.attest.attested ? q.attest.attested.pcrSelect : sel);
        const m = opt(p, 'message');
        const s = opt(p, 'signature');
        const o = opt(p, 'pcr-values');
        if (m) await writeFile(path(m), q.quoted);
        if (s) await writeFile(path(s), q.signatureBytes);
        if (o) await writeFile(path(o), Buffer.concat(pcrs.values.map((v) => v.value)));
        const digest = 'pcrDigest' in q.attest.attested ? q.attest.attested.pcrDigest : new Uint8Array(0);
        const text = [
          `quoted: ${toHex(q.quoted)}`,
          'signature:',
          ...Object.entries(signatureJson(q.signature) as Record<string, string>).map(([k, v]) => `  ${k}: ${v}`),
          `nonce: ${toHex(nonce)}`,
          'pcrs:',
          formatPcrs(pcrs.values).replace(/\n$/, ''),
          `calcDigest: ${toHex(digest)}`,
          '',
        ].join('\n');
        print(text, { quoted: toHex(q.quoted), signature: toHex(q.signatureBytes), signatureFields: signatureJson(q.signature), nonce: toHex(nonce), pcrSelection: formatPcrSelection(sel), pcrs: pcrsJson(pcrs.values), pcrDigest: toHex(digest) });
        return 0;
      }
      case 'checkquote': {
        const keyFile = opt(p, 'key');
        const m = opt(p, 'message');
        const s = opt(p, 'signature');
        if (!keyFile || !m || !s) throw new UsageError('checkquote needs --key, --message and --signature');
        const { key, pub: keyPub } = loadKey(new Uint8Array(await readFile(path(keyFile))));
        const quoted = new Uint8Array(await readFile(path(m)));
        const signature = new Uint8Array(await readFile(path(s)));
        const nonce = opt(p, 'nonce') ? hexOpt(opt(p, 'nonce')!, '--nonce') : undefined;
        let pcrs: PcrValue[] | undefined;
        const o = opt(p, 'pcr-values');
        if (o) {
          let sel: PcrSelection[];
          if (opt(p, 'pcrs')) sel = parsePcrSelection(opt(p, 'pcrs')!);
          else {
            const a = decodeAttest(quoted);
            if (!('pcrSelect' in a.attested)) throw new UsageError('the message is not a quote');
            sel = a.attested.pcrSelect;
          }
          pcrs = splitPcrValues(new Uint8Array(await readFile(path(o))), sel);
        }
        const v = verifyQuote({ quoted, signature: decodeSignature(signature), key, nonce, pcrs });
        const text = [
          'quote verified',
          `  signature: ${algName(v.signature.sigAlg)}-${'hash' in v.signature ? algName(v.signature.hash) : ''}`,
          `  extraData: ${toHex(v.attest.extraData)}${nonce ? ' (matches the nonce)' : ' (not checked: no --nonce)'}`,
          `  pcrs: ${formatPcrSelection(v.pcrSelect)}`,
          `  pcrDigest: ${algName(v.pcrDigestAlg)}:${toHex(v.pcrDigest)}${v.pcrsVerified ? ' (matches the PCR values)' : ' (not checked: no --pcr-values)'}`,
          `  clock: ${v.attest.clockInfo.clock} resetCount ${v.attest.clockInfo.resetCount} restartCount ${v.attest.clockInfo.restartCount}`,
          `  firmwareVersion: 0x${v.attest.firmwareVersion.toString(16)}`,
          `  device-id: ${deviceId(keyPub)}`,
          '',
        ].join('\n');
        print(text, {
          verified: true,
          signature: signatureJson(v.signature),
          extraData: toHex(v.attest.extraData),
          nonceChecked: !!nonce,
          pcrSelection: formatPcrSelection(v.pcrSelect),
          pcrDigest: toHex(v.pcrDigest),
          pcrDigestAlg: algName(v.pcrDigestAlg),
          pcrsVerified: v.pcrsVerified,
          clock: v.attest.clockInfo.clock.toString(),
          firmwareVersion: '0x' + v.attest.firmwareVersion.toString(16),
          deviceId: deviceId(keyPub),
        });
        return 0;
      }
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof TypeError || e instanceof RangeError) {
      io.stderr(`tncjs tpm: ${e.message}\n${e instanceof UsageError ? "run 'tncjs tpm --help' for usage\n" : ''}`);
      return 2;
    }
    if (isTncjsError(e)) {
      io.stderr(`tncjs tpm: ${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    io.stderr(`tncjs tpm: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}\n`);
    return 1;
  } finally {
    await tpm?.close().catch(() => {});
  }
}
