import { lstatSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
const keys = await import('/work/main/dist/src/index/keys.js');
const [, , idxPath, rootArg, pragma] = process.argv;
const root = resolve(rootArg);
const files = readdirSync(root, { recursive: true }).map((f) => join(root, f)).filter((p) => lstatSync(p).isFile());
const key = await keys.loadKey(idxPath + '.key');
const db = new Database(idxPath, { readonly: true });
if (pragma) db.pragma(pragma);
function t(name, fn) { for (let r = 0; r < 2; r++) { const s = process.hrtime.bigint(); let x = 0; for (const f of files) x += fn(f) ? 1 : 0; const e = Number(process.hrtime.bigint() - s) / 1e3 / files.length; console.log(name, r, e.toFixed(2), 'µs/file', x); } }
const macs = files.map((f) => keys.mac(key, f));
const s1 = db.prepare('SELECT size, mtime_ms, ino, outcome_sealed FROM files WHERE path_mac = ?').raw(true);
let i = 0; t('select4raw', () => s1.get(macs[i++ % macs.length]));
const s0 = db.prepare('SELECT * FROM files WHERE path_mac = ?');
i = 0; t('select*', () => s0.get(macs[i++ % macs.length]));
const ipad = Buffer.alloc(64 + 4096, 0x36), opad = Buffer.alloc(64 + 32, 0x5c);
for (let k = 0; k < 32; k++) { ipad[k] ^= key.macKey[k]; opad[k] ^= key.macKey[k]; }
const fast = (s) => { const n = ipad.write(s, 64, 'utf8'); const inner = crypto.hash('sha256', ipad.subarray(0, 64 + n), 'buffer'); inner.copy(opad, 64); return crypto.hash('sha256', opad, 'buffer').subarray(0, 16); };
console.log(fast(files[5]).equals(keys.mac(key, files[5])));
t('mac', (f) => keys.mac(key, f));
t('mac-hash', (f) => fast(f));
