/**
 * strongSwan's tnc_config (libtnccs tnc_tnccs_manager / tnc_imc_manager load_from_file): one line per module,
 * `IMC "OS" /usr/lib/ipsec/imcvs/imc-os.so` or `IMV "Attestation" …`, `#` comments and blank lines. A module is an
 * npm package name or a file path, loaded with dynamic import(); it exports a factory (`default`, `createImc` or
 * `createImv`). strongSwan's .so names and `builtin:os` / `builtin:attestation` map to this package's own modules.
 */
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, resolve, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TncjsError } from '@tncjs/common';
import type { Imc, ImcFactory } from './imc.js';
import type { Imv, ImvFactory } from './imv.js';
import type { TncClient } from './tnc-client.js';
import type { TncServer } from './tnc-server.js';
import { createOsImc } from './imcs/os-imc.js';
import { createAttestationImc } from './imcs/attestation-imc.js';
import { createOsImv } from './imvs/os-imv.js';
import { createAttestationImv } from './imvs/attestation-imv.js';

export interface TncConfigEntry {
  kind: 'IMC' | 'IMV';
  name: string;
  module: string;
  /** 1-based line number. */
  line: number;
}

/** A tnc_config line that is not a comment and not `IMC|IMV "name" module`. */
export class TncConfigError extends TncjsError {
  constructor(message: string, readonly line: number) {
    super('ERR_TNC_CONFIG', message);
  }
}

/**
 * Parse tnc_config text.
 * @throws TncConfigError for a line that is neither a comment, blank, nor `IMC|IMV "name" path`
 */
export function parseTncConfig(text: string): TncConfigEntry[] {
  const out: TncConfigEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(IMC|IMV)\s+"([^"]*)"\s+(\S+)\s*(?:#.*)?$/.exec(line);
    if (!m) throw new TncConfigError(`error in tnc_config line ${i + 1}: expected IMC|IMV "name" path`, i + 1);
    out.push({ kind: m[1] as 'IMC' | 'IMV', name: m[2], module: m[3], line: i + 1 });
  });
  return out;
}

/** Built-in modules by name; strongSwan's module file names map here so its tnc_config works unchanged. */
export const BUILTIN_IMCS: Record<string, ImcFactory> = { 'builtin:os': createOsImc, 'builtin:attestation': createAttestationImc, 'imc-os.so': createOsImc, 'imc-attestation.so': createAttestationImc };
export const BUILTIN_IMVS: Record<string, ImvFactory> = { 'builtin:os': createOsImv, 'builtin:attestation': createAttestationImv, 'imv-os.so': createOsImv, 'imv-attestation.so': createAttestationImv };

function builtin<T>(table: Record<string, T>, module: string): T | undefined {
  return table[module] ?? (module.endsWith('.so') ? table[basename(module)] : undefined);
}

async function importFactory(module: string, baseDir: string, kind: 'IMC' | 'IMV'): Promise<(o?: Record<string, unknown>) => unknown> {
  const spec = module.startsWith('.') || isAbsolute(module) ? pathToFileURL(resolve(baseDir, module)).href : module;
  const ns = (await import(spec)) as Record<string, unknown>;
  const f = ns.default ?? ns[kind === 'IMC' ? 'createImc' : 'createImv'];
  if (typeof f !== 'function') throw new TncjsError('ERR_TNC_CONFIG', `${kind} module '${module}' exports no factory (default, create${kind === 'IMC' ? 'Imc' : 'Imv'})`);
  return f as (o?: Record<string, unknown>) => unknown;
}

export interface LoadOptions {
  /** Options per module name from tnc_config ("OS", "Attestation"), handed to the factory. */
  options?: Record<string, Record<string, unknown>>;
}

/**
 * Load the IMCs (client) or IMVs (server) of a tnc_config file into a manager, logging "loading IMCs from '…'" and
 * "IMC 1 \"OS\" loaded from '…'". Lines of the other kind are skipped.
 */
export async function loadTncConfig(path: string, manager: TncClient | TncServer, opts: LoadOptions = {}): Promise<number> {
  const kind: 'IMC' | 'IMV' = 'imcs' in manager ? 'IMC' : 'IMV';
  const log = manager.logger;
  log.log('TNC', 1, `loading ${kind}s from '${path}'`);
  const entries = parseTncConfig(await readFile(path, 'utf8')).filter((e) => e.kind === kind);
  for (const e of entries) {
    const o = opts.options?.[e.name] ?? {};
    if (kind === 'IMC') {
      const f = builtin(BUILTIN_IMCS, e.module) ?? ((await importFactory(e.module, dirname(path), 'IMC')) as ImcFactory);
      await (manager as TncClient).add((await f(o)) as Imc, e.module, e.name);
    } else {
      const f = builtin(BUILTIN_IMVS, e.module) ?? ((await importFactory(e.module, dirname(path), 'IMV')) as ImvFactory);
      await (manager as TncServer).add((await f(o)) as Imv, e.module, e.name);
    }
  }
  return entries.length;
}
