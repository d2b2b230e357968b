/**
 * The Linux TPM character devices: `/dev/tpmrm0` (the kernel resource manager: transient objects and sessions are
 * virtualised per open file) and `/dev/tpm0` (raw, one user at a time). Opened non-blocking: the kernel queues the
 * command on write() and read() returns 0 (or EAGAIN) until the response is there, so waiting is a poll with a
 * deadline on the event loop; no libuv thread is ever parked in a read that might not return.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { concatBytes } from '@tncjs/common';
import { TpmDecodeError, TpmTransportError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_SIZE, responseSizeOf, type TpmTransport, type TransmitOptions } from './transport.js';

export const DEFAULT_DEVICES = ['/dev/tpmrm0', '/dev/tpm0'] as const;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DeviceTransport implements TpmTransport {
  private handle?: FileHandle;
  private busy = false;
  readonly description: string;

  constructor(
    readonly path: string,
    private readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.description = `device:${path}`;
  }

  /** Open now (otherwise the first command opens); errors name the device. */
  async open(): Promise<void> {
    if (this.handle) return;
    try {
      this.handle = await open(this.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const hint = err.code === 'EACCES' ? ' (add the user to the tss group or run as root)' : err.code === 'ENOENT' ? ' (no TPM device: is the tpm_crb/tpm_tis driver loaded?)' : err.code === 'EBUSY' ? ' (another process holds the raw device; use /dev/tpmrm0)' : '';
      throw new TpmTransportError('ERR_TPM_UNREACHABLE', this.description, `cannot open ${this.path}: ${err.code ?? err.message}${hint}`, { cause: e });
    }
  }

  async transmit(command: Uint8Array, options: TransmitOptions = {}): Promise<Uint8Array> {
    if (this.busy) throw new TpmTransportError('ERR_TPM_TRANSPORT', this.description, 'another command is already in flight on this device');
    this.busy = true;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    try {
      await this.open();
      const fh = this.handle!;
      try {
        const { bytesWritten } = await fh.write(command, 0, command.byteLength);
        if (bytesWritten !== command.byteLength) throw new Error(`short write: ${bytesWritten} of ${command.byteLength} bytes`);
      } catch (e) {
        if (e instanceof TpmTransportError) throw e;
        await this.reset();
        throw new TpmTransportError('ERR_TPM_TRANSPORT', this.description, `write failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
      }
      const chunks: Uint8Array[] = [];
      let have = 0;
      let want: number | undefined;
      let wait = 0.25;
      const buf = new Uint8Array(MAX_RESPONSE_SIZE);
      for (;;) {
        let n = 0;
        try {
          n = (await fh.read(buf, 0, buf.byteLength, null)).bytesRead;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
            await this.reset();
            throw new TpmTransportError('ERR_TPM_TRANSPORT', this.description, `read failed: ${code ?? (e as Error).message}`, { cause: e });
          }
        }
        if (n > 0) {
          chunks.push(buf.slice(0, n));
          have += n;
          wait = 0.25;
          try {
            if (want === undefined && have >= 6) want = responseSizeOf(concatBytes(chunks));
            if (want !== undefined && have > want) throw new TpmDecodeError(`${have - want} bytes beyond the announced response size ${want}`, want);
          } catch (e) {
            await this.reset();
            throw e;
          }
          if (want !== undefined && have === want) return concatBytes(chunks);
          continue;
        }
        if (Date.now() >= deadline) {
          await this.reset();
          throw new TpmTransportError('ERR_TPM_TIMEOUT', this.description, `no complete response within ${timeoutMs} ms (received ${have}${want !== undefined ? ` of ${want}` : ''} bytes)`);
        }
        await sleep(wait);
        wait = Math.min(wait * 2, 8);
      }
    } finally {
      this.busy = false;
    }
  }

  /** Reopen after an error: the kernel drops a pending response when the file is closed. */
  private async reset(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => {});
  }

  async close(): Promise<void> {
    await this.reset();
  }
}

/**
 * The first of `paths` that opens (default /dev/tpmrm0, then /dev/tpm0).
 * @throws TpmTransportError naming every device tried
 */
export async function openDevice(paths: readonly string[] = DEFAULT_DEVICES, timeoutMs?: number): Promise<DeviceTransport> {
  const errors: string[] = [];
  for (const p of paths) {
    const t = new DeviceTransport(p, timeoutMs);
    try {
      await t.open();
      return t;
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new TpmTransportError('ERR_TPM_UNREACHABLE', `device:${paths.join(',')}`, `no TPM device could be opened: ${errors.join('; ')}`);
}
