/**
 * A registry keyed by (vendor ID, type): the shape of both PB-TNC message types and PA-TNC attribute types.
 * Definitions decode values; names alone can be registered for types that are only printed.
 */
import { penName } from './pen.js';

export interface VendorTypeDef {
  readonly vendorId: number;
  readonly type: number;
  readonly name: string;
}

const key = (vendorId: number, type: number) => vendorId * 0x1_0000_0000 + type;

export class VendorTypeRegistry<D extends VendorTypeDef> {
  protected readonly defs = new Map<number, D>();
  protected readonly names = new Map<number, string>();

  /** Register definitions (a later registration of the same (vendor, type) replaces the earlier one). */
  register(...defs: D[]): this {
    for (const d of defs) this.defs.set(key(d.vendorId, d.type), d);
    return this;
  }

  unregister(vendorId: number, type: number): void {
    this.defs.delete(key(vendorId, type));
  }

  /** Register names for types whose values are not decoded here. */
  registerNames(vendorId: number, names: Readonly<Record<number, string>>): this {
    for (const [t, n] of Object.entries(names)) this.names.set(key(vendorId, Number(t)), n);
    return this;
  }

  get(vendorId: number, type: number): D | undefined {
    return this.defs.get(key(vendorId, type));
  }

  /** The name strongSwan prints (`IETF/Product Information`), else `VENDOR/0x0000000b`. */
  nameOf(vendorId: number, type: number): string {
    return this.defs.get(key(vendorId, type))?.name ?? this.names.get(key(vendorId, type)) ?? `${penName(vendorId)}/0x${type.toString(16).padStart(8, '0')}`;
  }

  all(): D[] {
    return [...this.defs.values()];
  }

  /** Copy definitions and names into `into` (used by subclasses' `clone`). */
  protected copyInto<R extends VendorTypeRegistry<D>>(into: R): R {
    for (const [k, v] of this.defs) into.defs.set(k, v);
    for (const [k, v] of this.names) into.names.set(k, v);
    return into;
  }
}
