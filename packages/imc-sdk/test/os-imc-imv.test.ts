/** OS IMC and OS IMV with injected inputs: the seed's 269-byte CDATA, forwarding → Quarantined, installed packages. */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@tncjs/common';
import { TncClient, TncServer, OsImc, OsImv, parseDpkgStatus, parseOsRelease, parseBootTime, numericVersion } from '../src/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tncjs-os-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sources(forwarding: boolean) {
  writeFileSync(join(dir, 'os-release'), 'PRETTY_NAME="Ubuntu 14.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="14.04"\n');
  writeFileSync(join(dir, 'stat'), 'cpu 1 2 3\nbtime 1418640310\nprocesses 1\n');
  writeFileSync(join(dir, 'ip_forward'), forwarding ? '1\n' : '0\n');
  writeFileSync(join(dir, 'machine-id'), 'e61276cae552799c71cc84abae619ab14c8b0b8b\n');
  writeFileSync(join(dir, 'status'), 'Package: strongswan\nStatus: install ok installed\nVersion: 5.2.1-1\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: openssl\nStatus: install ok installed\nVersion: 1.0.1f-1ubuntu2.7\n');
  return { osRelease: join(dir, 'os-release'), procStat: join(dir, 'stat'), ipForward: join(dir, 'ip_forward'), machineId: join(dir, 'machine-id'), dpkgStatus: join(dir, 'status'), arch: 'x86_64' };
}

async function run(forwarding: boolean, requestPackages: boolean) {
  const carolLines: string[] = [];
  const moonLines: string[] = [];
  const client = new TncClient({ logger: new Logger({ sink: (l) => carolLines.push(l.trimEnd()) }) });
  await client.add(new OsImc({ sources: sources(forwarding), now: () => new Date((1418640310 + 2276) * 1000) }), '/usr/lib/ipsec/imcvs/imc-os.so');
  const server = new TncServer({ logger: new Logger({ sink: (l) => moonLines.push(l.trimEnd()) }) });
  await server.add(new OsImv({ requestPackages }));
  const carol = client.connect({ connectionId: 1, maxBatchSize: 32754 });
  const moon = server.connect({ connectionId: 1, maxBatchSize: 32754 });
  const sizes: number[] = [];
  let batch: Uint8Array | undefined = await carol.start();
  for (let toMoon = true; batch; toMoon = !toMoon) {
    sizes.push(batch.byteLength);
    batch = toMoon ? await moon.receive(batch) : await carol.receive(batch);
  }
  return { sizes, carolLines, moonLines, result: carol.result! };
}

describe('OS IMC / OS IMV', () => {
  test("the seed's values give the seed's 269-byte first CDATA batch and compliant / Access Allowed", async () => {
    const r = await run(false, false);
    expect(r.sizes[0]).toBe(269);
    expect(r.result).toMatchObject({ assessment: 0, recommendation: 1 });
    expect(r.carolLines).toEqual(expect.arrayContaining([
      "00[IMC] operating system name is 'Ubuntu'",
      "00[IMC] operating system version is '14.04 x86_64'",
      '00[IMC] operating system numeric version is 14.4',
      '00[IMC] last boot: Dec 15 10:45:10 UTC 2014, 2276 s ago',
      '00[IMC] IPv4 forwarding is disabled',
      '00[IMC] factory default password is disabled',
      '00[IMC] device ID is e61276cae552799c71cc84abae619ab14c8b0b8b',
      '00[IMC] ***** assessment of IMC 1 "OS" from IMV 1 *****',
    ]));
  });

  test('IPv4 forwarding enabled → isolate with a reason string → Quarantined', async () => {
    const r = await run(true, false);
    expect(r.result).toMatchObject({ assessment: 1, recommendation: 3, reasons: [{ reason: 'IPv4 forwarding is enabled', languageCode: 'en' }] });
    expect(r.moonLines).toContain('00[IMV] IMV 1 "OS" provides recommendation \'isolate\' and evaluation \'non-compliant minor\'');
    expect(r.carolLines).toContain('00[IMC] IMC 1 "OS" changed state of Connection ID 1 to \'Isolated\'');
  });

  test('the IMV asks for the installed packages and the IMC answers from the dpkg status file', async () => {
    const r = await run(false, true);
    expect(r.carolLines).toContain('00[IMC] sending 2 installed packages');
    expect(r.moonLines).toContain('00[IMV] received 2 installed packages');
    expect(r.result.recommendation).toBe(1);
  });

  test('parsers', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nVERSION_ID=\'12\'\n# c\nID=debian')).toEqual({ NAME: 'Debian GNU/Linux', VERSION_ID: '12', ID: 'debian' });
    expect(numericVersion('14.04')).toEqual({ major: 14, minor: 4 });
    expect(numericVersion('')).toEqual({ major: 0, minor: 0 });
    expect(parseBootTime('btime 1418640310')?.toISOString()).toBe('2014-12-15T10:45:10.000Z');
    expect(parseBootTime('cpu 1')).toBeUndefined();
    expect(parseDpkgStatus('Package: a\nStatus: install ok installed\nVersion: 1\n')).toEqual([{ name: 'a', version: '1' }]);
  });
});
