/**
 * `tncjs attest <database> <command>`: manage the Attestation IMV's database, as strongSwan's `attest` tool does.
 * Exposed for @tncjs/client's `tncjs` tool (a route `attest: runAttestCli`); every failure is one `tncjs attest:` line.
 */
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isTncjsError } from '@tncjs/common';
import { SqliteAttestationStore } from './sqlite-attestation-store.js';
import { importDirectory, importImaLog } from './reference-import.js';
import { toHex } from '@tncjs/common';
import { IMV_EVALUATION_NAMES, IMV_RECOMMENDATION_NAMES } from '../types.js';

export const ATTEST_USAGE = 'usage: tncjs attest <database> {init|import-ima <log>|import-dir <dir>|register-aik <key>|trust <device-id>|untrust <device-id>|devices|sessions|files <path>} [options]\n';

const ATTEST_HELP = `${ATTEST_USAGE}
Manage the Attestation IMV's database (SQLite; <database> is a path or sqlite:///path; created and migrated on first use).

  init                        create or migrate the database and print its schema version
  import-ima <log>            reference file hashes from a known-good IMA binary_runtime_measurements list
  import-dir <dir>            hash every regular file under <dir> (--root <client path>, default /;
                              --algorithms sha256[,sha1,...], default sha256)
  register-aik <key>          register a device's AIK (DER or PEM SubjectPublicKeyInfo); prints the device ID
                              (SHA-1 of the key, as strongSwan); --trusted marks it trusted, --description <text>
  trust|untrust <device-id>   mark a registered AIK trusted or not
  devices                     list devices: ID, trusted, description
  sessions [--limit N]        recent attestation sessions and their results
  files <path>                reference hashes of a file
  --product <name>            product for import-ima, import-dir and register-aik

Exit codes: 0 success, 2 bad usage, unreadable input or database error, 1 internal error.
`;

type Io = { stdout: (s: string) => void; stderr: (s: string) => void };

class UsageError extends Error {}

const VALUE_OPTIONS = new Set(['--root', '--algorithms', '--product', '--description', '--limit']);
const FLAG_OPTIONS = new Set(['--trusted', '--json']);

/** Parse `tncjs attest` arguments. @throws Error (usage) with a one-line reason */
export function parseAttestArgs(argv: readonly string[]): { positional: string[]; options: Record<string, string | true> } {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (VALUE_OPTIONS.has(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option '${name}' needs a value`);
        options[name.slice(2)] = v;
      } else if (FLAG_OPTIONS.has(name) && eq < 0) options[name.slice(2)] = true;
      else throw new UsageError(`unknown option '${a}'`);
    } else positional.push(a);
  }
  return { positional, options };
}

/** DER SubjectPublicKeyInfo from DER or PEM bytes. @throws Error when it is neither */
export function readSpki(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(bytes);
  const pem = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(text);
  const der = pem ? new Uint8Array(Buffer.from(pem[1].replace(/\s+/g, ''), 'base64')) : bytes;
  createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }); // throws for anything else
  return der;
}

/**
 * Run `tncjs attest` with the arguments after `attest`.
 * @returns the exit code
 */
export async function runAttestCli(argv: readonly string[], io: Io): Promise<number> {
  let store: SqliteAttestationStore | undefined;
  try {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      io.stdout(ATTEST_HELP);
      return argv.length === 0 ? 2 : 0;
    }
    const { positional, options } = parseAttestArgs(argv);
    const [db, command, arg, ...extra] = positional;
    if (!command) throw new UsageError('missing command');
    const needsArg = ['import-ima', 'import-dir', 'register-aik', 'trust', 'untrust', 'files'].includes(command);
    if (!needsArg && !['init', 'devices', 'sessions'].includes(command)) throw new UsageError(`unknown command '${command}'`);
    if (needsArg && arg === undefined) throw new UsageError(`'${command}' needs an argument`);
    if ((!needsArg && arg !== undefined) || extra.length) throw new UsageError(`unexpected argument '${needsArg ? extra[0] : arg}'`);
    const product = typeof options.product === 'string' ? options.product : undefined;
    store = new SqliteAttestationStore(db);
    switch (command) {
      case 'init':
        io.stdout(`attestation database '${store.path}' at schema version ${store.schemaVersion}\n`);
        break;
      case 'import-ima': {
        const r = await importImaLog(store, arg, { product });
        io.stdout(`${r.entries} IMA entries: ${r.added} new file hashes, ${r.skipped} skipped\n`);
        break;
      }
      case 'import-dir': {
        const algorithms = typeof options.algorithms === 'string' ? options.algorithms.split(',') : undefined;
        const r = await importDirectory(store, arg, { algorithms, root: typeof options.root === 'string' ? options.root : undefined, product });
        io.stdout(`${r.files} files: ${r.added} new file hashes, ${r.skipped} skipped\n`);
        break;
      }
      case 'register-aik': {
        const spki = readSpki(new Uint8Array(await readFile(arg)));
        const d = store.registerAik(spki, { trusted: options.trusted === true ? true : undefined, description: typeof options.description === 'string' ? options.description : undefined, product });
        io.stdout(`device ID is ${d.deviceId}${d.trusted ? ' (trusted)' : ''}\n`);
        break;
      }
      case 'trust':
      case 'untrust':
        if (!store.setAikTrusted(arg, command === 'trust')) throw new UsageError(`no AIK registered for device ID '${arg}'`);
        io.stdout(`AIK of device ${arg} is ${command === 'trust' ? 'trusted' : 'not trusted'}\n`);
        break;
      case 'devices':
        for (const d of store.devices()) io.stdout(`${d.deviceId || '(no AIK)'} ${d.aik ? (d.trusted ? 'trusted' : 'untrusted') : 'no-aik'}${d.description ? ` '${d.description}'` : ''}\n`);
        break;
      case 'sessions': {
        const limit = options.limit === undefined ? 20 : Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer`);
        for (const s of store.sessions(limit)) {
          io.stdout(`${s.id} ${new Date(s.started * 1000).toISOString()} connection ${s.connectionId} device ${s.deviceId ?? '-'} ${s.recommendation === undefined ? 'incomplete' : `recommendation '${IMV_RECOMMENDATION_NAMES[s.recommendation] ?? s.recommendation}' evaluation '${IMV_EVALUATION_NAMES[s.evaluation ?? 4] ?? s.evaluation}'`}\n`);
          for (const r of s.results) io.stdout(`  ${r}\n`);
        }
        break;
      }
      case 'files':
        for (const h of store.fileHashes(arg)) io.stdout(`${h.algorithm}:${toHex(h.digest)} ${h.path}\n`);
        break;
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`tncjs attest: ${e.message}\n${ATTEST_USAGE}`);
      return 2;
    }
    if (isTncjsError(e) || (e as NodeJS.ErrnoException)?.code?.startsWith?.('E') || e instanceof TypeError || e instanceof RangeError) {
      io.stderr(`tncjs attest: ${(e as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    io.stderr(`tncjs attest: internal error (please report): ${(e as Error)?.message?.split('\n')[0] ?? String(e)}\n`);
    return 1;
  } finally {
    store?.close();
  }
}
