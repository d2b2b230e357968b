/** Minimal HTTP fetching for CRLs and OCSP (strongSwan's curl fetcher): GET/POST, timeout, bounded size. */
import http from 'node:http';
import https from 'node:https';

export interface FetchRequest {
  method: 'GET' | 'POST';
  body?: Uint8Array;
  contentType?: string;
  timeoutMs: number;
  maxBytes: number;
}

/** Fetches `url`; resolves with the body of a 2xx response, rejects on anything else. */
export type Fetcher = (url: string, request: FetchRequest) => Promise<Uint8Array>;

/** node:http/https fetcher. */
export const httpFetcher: Fetcher = (url, req) =>
  new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Error(`invalid URL '${url}'`));
      return;
    }
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!mod) {
      reject(new Error(`unsupported URL scheme '${u.protocol}'`));
      return;
    }
    const headers: Record<string, string | number> = {};
    if (req.body) {
      headers['content-type'] = req.contentType ?? 'application/octet-stream';
      headers['content-length'] = req.body.byteLength;
    }
    const r = mod.request(u, { method: req.method, headers, timeout: req.timeoutMs }, (res) => {
      if (!res.statusCode || res.statusCode < 200 || res.statusCode >= 300) {
        res.resume();
        reject(new Error(`HTTP status ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n > req.maxBytes) {
          r.destroy(new Error(`response exceeds ${req.maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`timeout after ${req.timeoutMs} ms`)));
    r.on('error', reject);
    if (req.body) r.end(Buffer.from(req.body));
    else r.end();
  });
