/**
 * RFC 7296 §2.9 traffic selector narrowing as the responder does it (`narrowTrafficSelectors`): the answer is the
 * part of the proposal inside the policy, a subset of what was proposed; nothing in common is empty
 * (TS_UNACCEPTABLE). Properties over random selectors: the result lies inside both inputs, and an address lies in the
 * result exactly when it lies in both.
 */
import fc from 'fast-check';
import { narrowTrafficSelectors, selectorsContain, selectorFromCidr, describeSelector, type TrafficSelector } from '../src/index.js';

const cidr = (...c: string[]) => c.map((x) => selectorFromCidr(x));
const show = (ts: TrafficSelector[]) => ts.map(describeSelector);

describe('narrowTrafficSelectors', () => {
  it("strongSwan's cases: 0.0.0.0/0 narrowed to moon's subnet; the client's /32; disjoint is empty", () => {
    expect(show(narrowTrafficSelectors(cidr('0.0.0.0/0'), cidr('10.1.0.0/28')))).toEqual(['10.1.0.0/28']);
    expect(show(narrowTrafficSelectors(cidr('10.1.0.0/28'), cidr('10.1.0.8/29')))).toEqual(['10.1.0.8/29']);
    expect(show(narrowTrafficSelectors(cidr('192.168.0.254/32'), cidr('0.0.0.0/0')))).toEqual(['192.168.0.254/32']);
    expect(narrowTrafficSelectors(cidr('10.2.0.0/16'), cidr('10.1.0.0/28'))).toEqual([]);
    expect(show(narrowTrafficSelectors(cidr('10.0.0.0/8', '192.168.0.0/16'), cidr('10.1.0.0/28', '192.168.7.0/24', '172.16.0.0/12')))).toEqual(['10.1.0.0/28', '192.168.7.0/24']);
  });

  it('ports and protocols intersect (0 = any protocol)', () => {
    const [t] = narrowTrafficSelectors([selectorFromCidr('10.1.0.0/24', 6, 0, 1024)], [selectorFromCidr('10.1.0.0/28', 0, 80, 8080)]);
    expect(t).toMatchObject({ ipProtocol: 6, startPort: 80, endPort: 1024 });
    expect(narrowTrafficSelectors([selectorFromCidr('10.1.0.0/24', 6)], [selectorFromCidr('10.1.0.0/24', 17)])).toEqual([]);
    expect(narrowTrafficSelectors([selectorFromCidr('10.1.0.0/24', 0, 0, 100)], [selectorFromCidr('10.1.0.0/24', 0, 200, 300)])).toEqual([]);
  });

  it('property: the result lies in both inputs, and covers exactly their common addresses', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const net = fc.tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 32 })).map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`);
    const addr = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
    fc.assert(
      fc.property(fc.array(net, { minLength: 1, maxLength: 3 }), fc.array(net, { minLength: 1, maxLength: 3 }), fc.array(addr, { maxLength: 20 }), (p, a, probes) => {
        const proposed = cidr(...p);
        const allowed = cidr(...a);
        const out = narrowTrafficSelectors(proposed, allowed);
        for (const x of probes) expect(selectorsContain(out, x)).toBe(selectorsContain(proposed, x) && selectorsContain(allowed, x));
        for (const t of out) {
          for (const edge of [describeSelector({ ...t, end: t.start }), describeSelector({ ...t, start: t.end })]) {
            expect(selectorsContain(proposed, edge.split('/')[0])).toBe(true);
            expect(selectorsContain(allowed, edge.split('/')[0])).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('malformed CIDRs are TypeErrors (octets above 255 too)', () => {
    expect(() => selectorFromCidr('10.1.0.300/29')).toThrow(TypeError);
    expect(() => selectorFromCidr('10.1.0.0/33')).toThrow(TypeError);
    expect(() => selectorFromCidr('moon')).toThrow(TypeError);
  });
});
