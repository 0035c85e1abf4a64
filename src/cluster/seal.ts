import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Sealed boxes: what an agent sends its coordinator (results, audit records) and what the coordinator
 * sends an agent (the subject) pass through PostgreSQL encrypted for the one who reads them, so that the
 * database and its administrators see no identifier, context or path. X25519 with a fresh key per box,
 * HKDF-SHA256, AES-256-GCM; `label` (a job id) is authenticated too, so a box moved to another job
 * does not open.
 *
 *   box = version(1) || ephemeral public key (32) || nonce (12) || tag (16) || ciphertext
 */

const VERSION = 1;
const INFO = Buffer.from('dsr-seal/1');

export interface KeyPair {
  publicKey: string;
  privateKey: KeyObject;
}

/** A fresh X25519 key pair; the public key as base64url of its 32 bytes. */
export function newKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: publicKeyText(publicKey), privateKey };
}

function publicKeyText(key: KeyObject): string {
  return key.export({ format: 'jwk' }).x as string;
}

function publicKeyObject(text: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: text }, format: 'jwk' });
}

/** A private key as PEM text (an agent's key file), and back. */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }) as string;
}

export function keyPairFromPem(pem: string): KeyPair {
  const privateKey = createPrivateKey(pem);
  return { privateKey, publicKey: publicKeyText(createPublicKey(privateKey)) };
}

function boxKey(shared: Buffer, ephemeral: Buffer, recipient: string): Buffer {
  const salt = Buffer.concat([ephemeral, Buffer.from(recipient, 'base64url')]);
  return Buffer.from(hkdfSync('sha256', shared, salt, INFO, 32));
}

/** Seals `data` (compressed first) for the holder of `recipient`'s private key. */
export function seal(data: Uint8Array | string, recipient: string, label: string): Buffer {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const ephemeral = Buffer.from(publicKeyText(publicKey), 'base64url');
  const shared = diffieHellman({ privateKey, publicKey: publicKeyObject(recipient) });
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', boxKey(shared, ephemeral, recipient), nonce);
  cipher.setAAD(Buffer.from(label));
  const body = Buffer.concat([cipher.update(gzipSync(data)), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), ephemeral, nonce, cipher.getAuthTag(), body]);
}

/** Opens a box sealed for `keys` under `label`; throws when it was not, or was altered. */
export function open(box: Uint8Array, keys: KeyPair, label: string): Buffer {
  const b = Buffer.from(box.buffer, box.byteOffset, box.byteLength);
  if (b.length < 61 || b[0] !== VERSION) throw new Error('not a dsr sealed box');
  const ephemeral = b.subarray(1, 33);
  const nonce = b.subarray(33, 45);
  const tag = b.subarray(45, 61);
  const shared = diffieHellman({
    privateKey: keys.privateKey,
    publicKey: publicKeyObject(ephemeral.toString('base64url')),
  });
  const decipher = createDecipheriv('aes-256-gcm', boxKey(shared, ephemeral, keys.publicKey), nonce);
  decipher.setAAD(Buffer.from(label));
  decipher.setAuthTag(tag);
  return gunzipSync(Buffer.concat([decipher.update(b.subarray(61)), decipher.final()]));
}

/** A value sealed as JSON, as base64 text for a job's data. */
export function sealJson(value: unknown, recipient: string, label: string): string {
  return seal(JSON.stringify(value), recipient, label).toString('base64');
}

export function openJson<T>(text: string, keys: KeyPair, label: string): T {
  return JSON.parse(open(Buffer.from(text, 'base64'), keys, label).toString('utf8')) as T;
}
