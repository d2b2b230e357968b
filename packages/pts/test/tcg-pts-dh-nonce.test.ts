/** TCG PTS DH nonce negotiation: the secret assessment value vectors, and both roles for every group. */
import { fromHex, toHex } from '@tncjs/common';
import { PtsDh, DhGroup, DH_GROUP_NAMES, secretAssessmentValue, selectDhGroup, DhError, MeasAlgo } from '../src/index.js';

test("the seed's values (carol's strongSwan 5.2.1 log)", () => {
  const v = secretAssessmentValue(
    MeasAlgo.SHA1,
    fromHex('608E64FDEDC3DB9E9077B6C6B833C6DC77846595'),
    fromHex('ED112461DD12EFB5A1E0A51D42631636C32C353F'),
    fromHex('4B103DEE57C58C69EAECA12AEB9007DDD06F57AA1C7821F15137FC64E481535C'),
  );
  expect(toHex(v)).toBe('7feafbfc53583cbeff71151197c06e2be430cb30');
});

test('strongSwan 6.0.6 run (test-vectors/strongswan/README.md)', () => {
  const v = secretAssessmentValue(
    MeasAlgo.SHA1,
    fromHex('d17790afbf8b821ed311216272117444329235a7'),
    fromHex('aa7a104550270edc804fe7686d01a86a3de53eaa'),
    fromHex('8018bd0edd9d6a4d648d4f0f4859016d23b3060c5e52821ccc1a9dd7ae33ad6f'),
  );
  expect(toHex(v)).toBe('6fb4cb4e5526edfb4dddb34cba09665da2b2b26d');
});

test.each(Object.values(DhGroup))('group 0x%s: initiator and responder agree, encodings as strongSwan', (g) => {
  const imv = new PtsDh(g);
  const imc = new PtsDh(g);
  const size = { [DhGroup.MODP_1024]: 128, [DhGroup.MODP_1536]: 192, [DhGroup.MODP_2048]: 256, [DhGroup.ECP_256]: 64, [DhGroup.ECP_384]: 96 }[g];
  expect(imv.publicValue().byteLength).toBe(size);
  const a = imv.sharedSecret(imc.publicValue());
  const b = imc.sharedSecret(imv.publicValue());
  expect(toHex(a)).toBe(toHex(b));
  expect(a.byteLength).toBe(g === DhGroup.ECP_256 ? 32 : g === DhGroup.ECP_384 ? 48 : size);
  expect(imv.name).toBe(DH_GROUP_NAMES[g]);
});

test('a public value of the wrong size or off the curve is refused with a typed error', () => {
  const dh = new PtsDh(DhGroup.ECP_256);
  expect(() => dh.sharedSecret(new Uint8Array(63))).toThrow(DhError);
  expect(() => dh.sharedSecret(new Uint8Array(64).fill(7))).toThrow(DhError);
  expect(() => new PtsDh(0x0400)).toThrow(DhError);
});

test("group selection follows strongSwan's IMC preference", () => {
  expect(selectDhGroup(0xf000)).toBe(DhGroup.ECP_256);
  expect(selectDhGroup(0xf800)).toBe(DhGroup.ECP_384);
  expect(selectDhGroup(0xf800, 0xf000)).toBe(DhGroup.ECP_256);
  expect(selectDhGroup(0x8000)).toBe(DhGroup.MODP_1024);
  expect(selectDhGroup(0)).toBeUndefined();
});
