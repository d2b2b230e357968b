#!/usr/bin/env node
// Codec benchmark (issue: PB-TNC/PA-TNC): encode + decode of a ~32 KB PB-TNC batch holding ~300 PA-TNC attributes,
// the shape of one evidence batch of the seed. Prints MB/s and batches/s; no assertions.
// Run after `npm run build`: node bench/codec.mjs [seconds per measurement, default 3]
import { PEN } from '@tncjs/common';
import { encodeBatch, decodeBatch, createMessageRegistry, PbPa, BatchType } from '@tncjs/pb-tnc';
import {
  encodePaTncMessage,
  decodePaTncMessage,
  createAttributeRegistry,
  ItaSymlinks,
  InstalledPackages,
  OperationalStatus,
  ProductInformation,
  PortFilter,
} from '@tncjs/pa-tnc';

const seconds = Number(process.argv[2] ?? 3);
const pbRegistry = createMessageRegistry();
const paRegistry = createAttributeRegistry();

// ~300 attributes of the kinds and sizes an OS IMC and an evidence batch carry (~108 bytes each on average)
const attributes = [];
for (let i = 0; i < 300; i++) {
  switch (i % 5) {
    case 0:
      attributes.push(ProductInformation.create({ productVendorId: 0x7132, productId: i, productName: `Ubuntu product ${i} `.padEnd(150, '.') }));
      break;
    case 1:
      attributes.push(OperationalStatus.create({ status: 3, result: 1, lastUse: '2014-12-15T10:45:10Z' }));
      break;
    case 2:
      attributes.push(InstalledPackages.create({ packages: [{ name: `libpackage${i}`, version: '1.2.3-4ubuntu5' }, { name: 'openssl', version: '1.0.1f-1ubuntu2.7' }, { name: 'strongswan', version: '5.2.1' }] }));
      break;
    case 3:
      attributes.push(ItaSymlinks.create({ symlinks: [{ symlink: '/sbin', directory: '/usr/sbin' }, { symlink: '/lib', directory: '/usr/lib' }, { symlink: `/opt/link${i}`, directory: '/usr/share/very/long/target/path' }] }));
      break;
    default:
      attributes.push(PortFilter.create({ entries: Array.from({ length: 30 }, (_, k) => ({ flags: { blocked: k % 2 === 0 }, protocol: 6, port: 1000 + k })) }));
  }
}

function encode() {
  const body = encodePaTncMessage({ identifier: 0x54936c39, attributes });
  const pa = PbPa.create({ flags: { excl: false }, paVendorId: PEN.TCG, paSubtype: 1, collectorId: 2, validatorId: 1, body });
  return encodeBatch({ fromServer: false, type: BatchType.CDATA, messages: [pa] });
}

function decode(bytes) {
  const b = decodeBatch(bytes, { registry: pbRegistry, expectFromServer: false });
  let n = 0;
  for (const m of b.messages) if (PbPa.is(m)) n += decodePaTncMessage(m.value.body, { registry: paRegistry }).attributes.length;
  return n;
}

function measure(name, fn, bytesPerOp) {
  for (let i = 0; i < 200; i++) fn(); // warm up
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 50; i++) fn();
    ops += 50;
    now = process.hrtime.bigint();
  }
  const s = Number(now - start) / 1e9;
  const mbps = (ops * bytesPerOp) / s / 1e6;
  console.log(`${name.padEnd(28)} ${(ops / s).toFixed(0).padStart(8)} batches/s  ${mbps.toFixed(1).padStart(7)} MB/s  ${((s / ops) * 1e6).toFixed(1).padStart(8)} µs/batch`);
}

const sample = encode();
const count = decode(sample);
console.log(`batch: ${sample.byteLength} bytes, ${count} PA-TNC attributes in one PB-PA message (Node ${process.version})`);
measure('encode (PA-TNC + PB-TNC)', encode, sample.byteLength);
measure('decode (PB-TNC + PA-TNC)', () => decode(sample), sample.byteLength);
measure('encode + decode', () => decode(encode()), sample.byteLength);
