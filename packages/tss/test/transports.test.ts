/**
 * Transports: TPM selection (TNCJS_TPM, tpm2-tools TCTI syntax), the socket transport against a tiny fake server
 * that misbehaves (truncation, silence, garbage, too many bytes: typed errors within the deadline, never a hang),
 * unreachable TPMs (errors name the transport), and the character-device transport exercised on a FIFO.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  Tpm,
  parseTpmSpec,
  resolveTpmSpec,
  openTransport,
  SocketTransport,
  SwtpmTransport,
  DeviceTransport,
  openDevice,
  TpmTransportError,
  TpmDecodeError,
  TpmError,
} from '../src/index.js';

describe('TPM selection (like tpm2-tools TCTI selection)', () => {
  test.each([
    ['device', { kind: 'device', paths: ['/dev/tpmrm0', '/dev/tpm0'] }],
    ['device:/dev/tpm0', { kind: 'device', paths: ['/dev/tpm0'] }],
    ['device:path=/dev/tpmrm1', { kind: 'device', paths: ['/dev/tpmrm1'] }],
    ['swtpm', { kind: 'swtpm', data: { host: '127.0.0.1', port: 2321 }, ctrl: { host: '127.0.0.1', port: 2322 } }],
    ['swtpm:tcp://127.0.0.1:2321', { kind: 'swtpm', data: { host: '127.0.0.1', port: 2321 }, ctrl: { host: '127.0.0.1', port: 2322 } }],
    ['swtpm:tcp://10.0.0.1:4000?ctrl=5000', { kind: 'swtpm', data: { host: '10.0.0.1', port: 4000 }, ctrl: { host: '10.0.0.1', port: 5000 } }],
    ['swtpm:tcp://[::1]:2321?ctrl=tcp://[::1]:3000', { kind: 'swtpm', data: { host: '::1', port: 2321 }, ctrl: { host: '::1', port: 3000 } }],
    ['swtpm:unix:///run/swtpm.sock', { kind: 'swtpm', data: { path: '/run/swtpm.sock' }, ctrl: { path: '/run/swtpm.sock.ctrl' } }],
    ['swtpm:unix:///run/swtpm.sock?ctrl=/run/c.sock', { kind: 'swtpm', data: { path: '/run/swtpm.sock' }, ctrl: { path: '/run/c.sock' } }],
    ['swtpm:port=2321', { kind: 'swtpm', data: { host: '127.0.0.1', port: 2321 }, ctrl: { host: '127.0.0.1', port: 2322 } }],
    ['swtpm:host=192.168.1.2,port=9000', { kind: 'swtpm', data: { host: '192.168.1.2', port: 9000 }, ctrl: { host: '192.168.1.2', port: 9001 } }],
    ['swtpm:path=/tmp/s.sock', { kind: 'swtpm', data: { path: '/tmp/s.sock' }, ctrl: { path: '/tmp/s.sock.ctrl' } }],
  ])('%s', (spec, expected) => {
    expect(parseTpmSpec(spec)).toEqual(expected);
  });

  test.each(['tabrmd', 'mssim:port=2321', 'swtpm:port=0', 'swtpm:tcp://127.0.0.1', 'swtpm:bogus=1', 'device:tpm0', 'http://x', 'swtpm:unix://relative'])('rejects %s with a TypeError', (spec) => {
    expect(() => parseTpmSpec(spec)).toThrow(TypeError);
  });

  test('explicit option, then TNCJS_TPM, then TPM2TOOLS_TCTI, then TCTI, then the default devices', () => {
    const env = { TNCJS_TPM: 'swtpm:port=1', TPM2TOOLS_TCTI: 'swtpm:port=2', TCTI: 'swtpm:port=3' };
    expect(resolveTpmSpec('device', env)).toEqual({ spec: 'device', source: 'option' });
    expect(resolveTpmSpec(undefined, env)).toEqual({ spec: 'swtpm:port=1', source: 'TNCJS_TPM' });
    expect(resolveTpmSpec(undefined, { ...env, TNCJS_TPM: '' })).toEqual({ spec: 'swtpm:port=2', source: 'TPM2TOOLS_TCTI' });
    expect(resolveTpmSpec(undefined, { TCTI: 'swtpm:port=3' })).toEqual({ spec: 'swtpm:port=3', source: 'TCTI' });
    expect(resolveTpmSpec(undefined, {})).toEqual({ source: 'default' });
  });

  test('arbitrary strings either parse or throw TypeError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => 'swtpm:' + s), fc.string().map((s) => 'device:' + s), fc.string().map((s) => 'swtpm:tcp://' + s)), (s) => {
        try {
          parseTpmSpec(s);
        } catch (e) {
          if (!(e instanceof TypeError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** A fake "TPM" on a random port that answers every command with `answer(socket, command)`. */
async function fakeServer(answer: (s: Socket, cmd: Buffer) => void): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', (d) => answer(s, d));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const GETRANDOM = Buffer.from('80010000000c0000017b0008', 'hex');
const GOOD = Buffer.from('80010000001400000000' + '0008' + '0102030405060708', 'hex');

async function expectError(p: Promise<unknown>, check: (e: unknown) => void, withinMs: number): Promise<void> {
  const started = Date.now();
  try {
    await p;
  } catch (e) {
    check(e);
    expect(Date.now() - started).toBeLessThan(withinMs);
    return;
  }
  throw new Error('expected an error');
}

describe('socket transport against a misbehaving server: typed errors, never a hang', () => {
  test('a well-behaved answer, split across three writes', async () => {
    const srv = await fakeServer((s) => {
      s.write(GOOD.subarray(0, 3));
      setTimeout(() => s.write(GOOD.subarray(3, 9)), 5);
      setTimeout(() => s.write(GOOD.subarray(9)), 10);
    });
    const tpm = new Tpm(new SocketTransport({ host: '127.0.0.1', port: srv.port }, 'fake'));
    expect(await tpm.getRandom(8)).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    await tpm.close();
    await srv.close();
  });

  test('truncated response, then silence → ERR_TPM_TIMEOUT after the deadline', async () => {
    const srv = await fakeServer((s) => s.write(GOOD.subarray(0, 12)));
    const t = new SocketTransport({ host: '127.0.0.1', port: srv.port }, 'swtpm:tcp://fake', 300);
    await expectError(
      t.transmit(GETRANDOM),
      (e) => {
        expect(e).toBeInstanceOf(TpmTransportError);
        expect((e as TpmTransportError).code).toBe('ERR_TPM_TIMEOUT');
        expect((e as Error).message).toBe('swtpm:tcp://fake: no complete response within 300 ms (received 12 of 20 bytes)');
      },
      2000,
    );
    // the connection was dropped: the next command opens a new one and works once the server behaves
    await t.close();
    await srv.close();
  });

  test('no answer at all → ERR_TPM_TIMEOUT', async () => {
    const srv = await fakeServer(() => {});
    await expectError(new SocketTransport({ host: '127.0.0.1', port: srv.port }, 'fake', 200).transmit(GETRANDOM), (e) => expect((e as TpmTransportError).code).toBe('ERR_TPM_TIMEOUT'), 2000);
    await srv.close();
  });

  test('truncated response, then close → ERR_TPM_CLOSED', async () => {
    const srv = await fakeServer((s) => s.end(GOOD.subarray(0, 15)));
    await expectError(
      new SocketTransport({ host: '127.0.0.1', port: srv.port }, 'fake', 5000).transmit(GETRANDOM),
      (e) => {
        expect((e as TpmTransportError).code).toBe('ERR_TPM_CLOSED');
        expect((e as Error).message).toMatch(/closed after 15 of 20 response bytes/);
      },
      2000,
    );
    await srv.close();
  });

  test.each([
    ['a size field below the header size', '8001000000050000000000'],
    ['a size field of 4 GiB', '8001ffffffff00000000'],
    ['more bytes than announced', '80010000000a00000000ffff'],
  ])('%s → TpmDecodeError', async (_n, h) => {
    const srv = await fakeServer((s) => s.write(Buffer.from(h, 'hex')));
    await expectError(new SocketTransport({ host: '127.0.0.1', port: srv.port }, 'fake', 5000).transmit(GETRANDOM), (e) => expect(e).toBeInstanceOf(TpmDecodeError), 2000);
    await srv.close();
  });

  test('a well-framed response that does not parse → TpmDecodeError from the command layer', async () => {
    const srv = await fakeServer((s) => s.write(Buffer.from('80010000000e00000000' + '0010abcd', 'hex')));
    const tpm = new Tpm(new SocketTransport({ host: '127.0.0.1', port: srv.port }, 'fake'));
    await expect(tpm.getRandom(8)).rejects.toMatchObject({ code: 'ERR_TPM_DECODE', message: expect.stringMatching(/malformed TPM2_GetRandom response/) });
    await tpm.close();
    await srv.close();
  });

  test('an error code comes back as TpmError', async () => {
    const srv = await fakeServer((s) => s.write(Buffer.from('80010000000a00000101', 'hex')));
    const tpm = new Tpm(new SocketTransport({ host: '127.0.0.1', port: srv.port }, 'fake'));
    await expect(tpm.getRandom(8)).rejects.toThrow(new TpmError(0x101, 0x17b).message);
    await tpm.close();
    await srv.close();
  });

  test('fuzzed answers (random bytes, re-chunked valid answers) → a result or a typed error, quickly', async () => {
    const samples = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc.tuple(fc.nat(GOOD.length), fc.uint8Array({ maxLength: 4 })).map(([cut, junk]) => Buffer.concat([GOOD.subarray(0, cut), junk])),
      ),
      60,
    );
    let i = 0;
    const srv = await fakeServer((s) => {
      const b = samples[i++ % samples.length];
      if (b.length) s.write(b);
      if (i % 3 === 0) s.end();
    });
    const t = new SocketTransport({ host: '127.0.0.1', port: srv.port }, 'fake', 100);
    const started = Date.now();
    for (let k = 0; k < samples.length; k++) {
      try {
        await t.transmit(GETRANDOM);
      } catch (e) {
        expect(e instanceof TpmTransportError || e instanceof TpmDecodeError).toBe(true);
      }
    }
    expect(Date.now() - started).toBeLessThan(samples.length * 150 + 2000);
    await t.close();
    await srv.close();
  });
});

describe('unreachable TPMs: errors name the transport', () => {
  test('nothing listening on the swtpm port', async () => {
    const srv = await fakeServer(() => {});
    const port = srv.port;
    await srv.close();
    const tpm = await Tpm.open(`swtpm:tcp://127.0.0.1:${port}`);
    await expect(tpm.getRandom(1)).rejects.toMatchObject({
      code: 'ERR_TPM_UNREACHABLE',
      message: `swtpm:tcp://127.0.0.1:${port}: cannot connect to 127.0.0.1:${port}: ECONNREFUSED (is swtpm running?)`,
    });
  });

  test('a missing Unix socket', async () => {
    const tpm = await Tpm.open('swtpm:unix:///nonexistent/swtpm.sock');
    await expect(tpm.getRandom(1)).rejects.toMatchObject({ code: 'ERR_TPM_UNREACHABLE', message: expect.stringContaining('swtpm:unix:///nonexistent/swtpm.sock: cannot connect to /nonexistent/swtpm.sock: ENOENT') });
  });

  test('missing devices: every path tried is named', async () => {
    await expect(openDevice(['/nonexistent/tpmrm0', '/nonexistent/tpm0'])).rejects.toMatchObject({
      code: 'ERR_TPM_UNREACHABLE',
      message: expect.stringMatching(/device:\/nonexistent\/tpmrm0,\/nonexistent\/tpm0: no TPM device could be opened: device:\/nonexistent\/tpmrm0: cannot open \/nonexistent\/tpmrm0: ENOENT.*device:\/nonexistent\/tpm0: cannot open/),
    });
    await expect(openTransport('device:/nonexistent/tpm9')).rejects.toMatchObject({ code: 'ERR_TPM_UNREACHABLE', message: expect.stringContaining('device:/nonexistent/tpm9') });
  });

  test('swtpm control channel without a swtpm', async () => {
    const t = new SwtpmTransport({ host: '127.0.0.1', port: 1 }, { host: '127.0.0.1', port: 2 });
    expect(t.description).toBe('swtpm:tcp://127.0.0.1:1');
    await expect(t.control!.init()).rejects.toMatchObject({ code: 'ERR_TPM_UNREACHABLE', message: expect.stringContaining('control channel 127.0.0.1:2') });
  });
});

describe('device transport (O_NONBLOCK polling) on a FIFO standing in for /dev/tpmrm0', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tncjs-fifo-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function fifo(name: string): string {
    const p = join(dir, name);
    const r = spawnSync('mkfifo', [p]);
    if (r.status !== 0) throw new Error('mkfifo failed');
    return p;
  }

  test('what is written comes back (a FIFO echoes): the command bytes parse as a response with rc = the command code', async () => {
    const t = new DeviceTransport(fifo('echo'), 2000);
    const tpm = new Tpm(t);
    // TPM2_GetRandom echoed: tag 8001, size 12, "rc" 0x17b → a TpmError, proving write, poll and framing work
    await expect(tpm.getRandom(8)).rejects.toMatchObject({ code: 'ERR_TPM_RC', rc: 0x17b });
    await tpm.close();
  });

  test('no response → ERR_TPM_TIMEOUT, and the device is reopened for the next command', async () => {
    const p = fifo('silent');
    const t = new DeviceTransport(p, 200);
    // a command too short to frame a response: the FIFO holds 4 bytes that never form a header
    await expectError(t.transmit(new Uint8Array([0x80, 0x01, 0, 0])), (e) => expect((e as TpmTransportError).code).toBe('ERR_TPM_TIMEOUT'), 2000);
    await expectError(t.transmit(new Uint8Array([0x80])), (e) => expect((e as Error).message).toMatch(/^device:.*silent: no complete response within 200 ms \(received 1 bytes\)$/), 2000);
    await t.close();
  });

  test('a garbled size field → TpmDecodeError', async () => {
    const t = new DeviceTransport(fifo('garbled'), 2000);
    await expect(t.transmit(new Uint8Array([0x80, 0x01, 0xff, 0, 0, 0, 0, 0, 0, 0]))).rejects.toBeInstanceOf(TpmDecodeError);
    await t.close();
  });
});
