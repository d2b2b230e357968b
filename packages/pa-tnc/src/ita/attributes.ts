/**
 * ITA-HSR attributes (vendor 0x00902a) that strongSwan defines in libimcv/ita. Each is small, so they share a file;
 * layouts: Command (string), Dummy (bytes), Get Settings (u32 count × u16-length names), Settings (u32 count ×
 * (u16-length name, u16-length value)), Start/Stop Angel (empty), Device ID (string), Get Symlinks (directory string),
 * Symlinks (u32 count × (u16-length symlink, u16-length target directory)).
 */
import { PEN, struct, list, utf8, bytes } from '@tncjs/common';
import { defineAttribute } from '../attribute.js';
import { rejectNul } from '../validate.js';

export const ItaAttr = {
  COMMAND: 1,
  DUMMY: 2,
  GET_SETTINGS: 3,
  SETTINGS: 4,
  START_ANGEL: 5,
  STOP_ANGEL: 6,
  ECHO: 7,
  DEVICE_ID: 8,
  GET_SYMLINKS: 9,
  SYMLINKS: 10,
} as const;

export const ItaCommand = defineAttribute({ vendorId: PEN.ITA, type: ItaAttr.COMMAND, name: 'ITA-HSR/Command', body: struct({ command: utf8('rest') }) });

export const ItaDummy = defineAttribute({ vendorId: PEN.ITA, type: ItaAttr.DUMMY, name: 'ITA-HSR/Dummy', body: struct({ data: bytes('rest') }) });

/** A Dummy attribute of `size` value bytes, filled with 0xdd as strongSwan does. */
export function dummyOfSize(size: number) {
  return ItaDummy.create({ data: new Uint8Array(size).fill(0xdd) });
}

export const ItaGetSettings = defineAttribute({
  vendorId: PEN.ITA,
  type: ItaAttr.GET_SETTINGS,
  name: 'ITA-HSR/Get Settings',
  body: struct({ names: list(utf8({ prefix: 16 }), { prefix: 32 }) }),
});

export const ItaSettings = defineAttribute({
  vendorId: PEN.ITA,
  type: ItaAttr.SETTINGS,
  name: 'ITA-HSR/Settings',
  body: struct({ settings: list(struct({ name: utf8({ prefix: 16 }), value: utf8({ prefix: 16 }) }), { prefix: 32 }) }),
});

export const ItaStartAngel = defineAttribute({ vendorId: PEN.ITA, type: ItaAttr.START_ANGEL, name: 'ITA-HSR/Start Angel', body: struct({}) });

export const ItaStopAngel = defineAttribute({ vendorId: PEN.ITA, type: ItaAttr.STOP_ANGEL, name: 'ITA-HSR/Stop Angel', body: struct({}) });

/** Device ID: strongSwan's OS IMC sends the hex SHA-1 of the AIK public key ("device ID is e61276ca…"). */
export const ItaDeviceId = defineAttribute({
  vendorId: PEN.ITA,
  type: ItaAttr.DEVICE_ID,
  name: 'ITA-HSR/Device ID',
  body: struct({ deviceId: utf8('rest') }),
  validate: (v, at) => rejectNul(v.deviceId, at, 'device ID'),
});

export const ItaGetSymlinks = defineAttribute({
  vendorId: PEN.ITA,
  type: ItaAttr.GET_SYMLINKS,
  name: 'ITA-HSR/Get Symlinks',
  body: struct({ directories: utf8('rest') }),
});

export const ItaSymlinks = defineAttribute({
  vendorId: PEN.ITA,
  type: ItaAttr.SYMLINKS,
  name: 'ITA-HSR/Symlinks',
  body: struct({ symlinks: list(struct({ symlink: utf8({ prefix: 16 }), directory: utf8({ prefix: 16 }) }), { prefix: 32 }) }),
});

export const ITA_ATTRIBUTE_NAMES: Readonly<Record<number, string>> = { [ItaAttr.ECHO]: 'ITA-HSR/Echo' };
