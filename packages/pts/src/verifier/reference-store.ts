/**
 * Reference measurements the verifier compares evidence with (strongSwan keeps them in its attestation database):
 * BIOS evidence by sequence number, IMA evidence by file name. An interface with an in-memory and a file-backed
 * (JSON) implementation; a server database can implement the same interface.
 */
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { toHex, fromHex } from '@tncjs/common';

export interface BiosReference {
  pcr: number;
  measurement: string;
}

export interface ReferenceStore {
  /** BIOS/firmware evidence of a device (keyed by AIK key id) in log order, or undefined when none is registered. */
  biosEvidence(deviceId: string, algorithm: number): BiosReference[] | undefined;
  registerBiosEvidence(deviceId: string, algorithm: number, entries: BiosReference[]): void;
  /** Known template hashes (hex) of an IMA file name for an algorithm, or undefined when the name is unknown. */
  imaMeasurements(name: string, algorithm: number): string[] | undefined;
  registerImaMeasurement(name: string, algorithm: number, measurement: Uint8Array): void;
}

interface StoreData {
  bios: Record<string, BiosReference[]>;
  ima: Record<string, string[]>;
}

export class MemoryReferenceStore implements ReferenceStore {
  protected data: StoreData = { bios: {}, ima: {} };

  biosEvidence(deviceId: string, algorithm: number): BiosReference[] | undefined {
    return this.data.bios[`${deviceId}/${algorithm}`];
  }

  registerBiosEvidence(deviceId: string, algorithm: number, entries: BiosReference[]): void {
    this.data.bios[`${deviceId}/${algorithm}`] = entries.map((e) => ({ ...e }));
    this.changed();
  }

  imaMeasurements(name: string, algorithm: number): string[] | undefined {
    return this.data.ima[`${algorithm}:${name}`];
  }

  registerImaMeasurement(name: string, algorithm: number, measurement: Uint8Array): void {
    const k = `${algorithm}:${name}`;
    const list = (this.data.ima[k] ??= []);
    const hex = toHex(measurement);
    if (!list.includes(hex)) list.push(hex);
    this.changed();
  }

  protected changed(): void {}
}

/** A JSON file; writes go to a temporary file first and are renamed into place. */
export class FileReferenceStore extends MemoryReferenceStore {
  private dirty = false;

  constructor(readonly path: string) {
    super();
    if (existsSync(path)) {
      const d = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoreData>;
      this.data = { bios: d.bios ?? {}, ima: d.ima ?? {} };
    }
  }

  protected override changed(): void {
    this.dirty = true;
  }

  /** Write pending registrations. */
  flush(): void {
    if (!this.dirty) return;
    writeFileSync(`${this.path}.tmp`, JSON.stringify(this.data));
    renameSync(`${this.path}.tmp`, this.path);
    this.dirty = false;
  }
}

export { fromHex };
