import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
const [which, src] = process.argv.slice(2);
const t0 = performance.now(); let n = 0; let peak = 0; const tick = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
if (which === 'napi-c') { const z = await import('zstd-napi'); await pipeline(createReadStream(src), new z.CompressStream({ compressionLevel: 3 }), createWriteStream(src + '.zst')); }
if (which === 'napi-d') { const z = await import('zstd-napi'); await pipeline(createReadStream(src + '.zst'), new z.DecompressStream(), new Writable({ write(c, e, cb) { n += c.length; cb(); } })); }
if (which === 'fzstd-d') { const { Decompress } = await import('fzstd'); const d = new Decompress((c) => { n += c.length; }); for await (const c of createReadStream(src + '.zst')) d.push(c); d.push(new Uint8Array(0), true); }
if (which === 'gzip-c') { const zl = await import('node:zlib'); await pipeline(createReadStream(src), zl.createGzip({level: 6}), createWriteStream(src + '.gz')); }
if (which === 'gzip-d') { const zl = await import('node:zlib'); await pipeline(createReadStream(src + '.gz'), zl.createGunzip(), new Writable({ write(c, e, cb) { n += c.length; cb(); } })); }
clearInterval(tick);
console.log(which, n, ((performance.now() - t0) / 1000).toFixed(2) + 's', (peak / 2 ** 20).toFixed(0) + 'MB');
