/**
 * Test helper: the strongSwan peer kit (`../shared/peers/strongswan`, else `/work/shared/peers/strongswan`) that the
 * interop tiers run against — where it is, where its state lives (`TNC_PEER_DIR`, default /tmp/tnc-peer), bringing it
 * up (idempotent: `up.sh` leaves a running moon alone) and reading its `peer.env` (addresses, identities, namespaces,
 * moon's log file). A missing kit fails the test with the paths looked at: interop tiers never skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CANDIDATES = [resolve(REPO, '../shared/peers/strongswan'), '/work/shared/peers/strongswan'];

/** The kit's directory. @throws Error naming the places looked at when there is none */
export function kitDir(): string {
  const d = CANDIDATES.find((c) => existsSync(join(c, 'up.sh')));
  if (!d) throw new Error(`strongSwan peer kit not found (looked at ${CANDIDATES.join(', ')})`);
  return d;
}

/** Where the kit keeps its state (pki/, peer.env, moon's log and pid). */
export const PEER_DIR = process.env.TNC_PEER_DIR ?? '/tmp/tnc-peer';

/** Parse `peer.env` (`NAME=value` or `NAME="value"` lines). */
export function parsePeerEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => {
        const i = l.indexOf('=');
        return [l.slice(0, i), l.slice(i + 1).replace(/^"(.*)"$/, '$1')];
      }),
  );
}

/** Bring the kit up (moon in its namespace, carol's namespace) and return its `peer.env`. */
export function startKit(): Record<string, string> {
  execFileSync('bash', [join(kitDir(), 'up.sh')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  return parsePeerEnv(readFileSync(join(PEER_DIR, 'peer.env'), 'utf8'));
}

/** moon's log from a mark on: `const m = logMark(env); …; logSince(env, m)`. */
export const logMark = (env: Record<string, string>): number => statSync(env.MOON_LOG).size;
export const logSince = (env: Record<string, string>, mark: number): string => readFileSync(env.MOON_LOG).subarray(mark).toString('utf8');
