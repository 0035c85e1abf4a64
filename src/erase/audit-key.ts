import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { writeTextAtomic } from '../io/atomic-write.js';

/**
 * The key that signs audit records: an Ed25519 key pair. The private key (PKCS#8 PEM, mode 0600) is
 * kept apart from the logs, by default in the user's configuration folder; its public half
 * (`KEY.pub`) lets an auditor verify a log without being able to forge one.
 */
export interface AuditSigner {
  keyId: string;
  sign(data: string): string;
}

export interface AuditVerifier {
  keyId: string;
  verify(data: string, signature: string): boolean;
}

/** `--audit-key`, else `DSR_AUDIT_KEY`, else `$XDG_CONFIG_HOME/dsr/audit.key` (`~/.config/dsr/audit.key`). */
export function defaultAuditKeyPath(): string {
  if (process.env.DSR_AUDIT_KEY) return process.env.DSR_AUDIT_KEY;
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'dsr', 'audit.key');
}

/** The key's id: the first 16 hex digits of the sha256 of its public key (DER). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The signing key at `path`; created (folder 0700, key 0600, public half `.pub` beside it) when there
 * is none. A key that others can read is refused, as ssh refuses such a private key.
 */
export async function loadOrCreateSigner(path: string): Promise<AuditSigner & { created: boolean }> {
  let created = false;
  let pem: string;
  try {
    pem = await readKeyFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      // Whole or not at all: a key cut short by a crash would make every later run fail.
      await writeTextAtomic(path, pem, { overwrite: false });
      await writeTextAtomic(`${path}.pub`, publicKey.export({ type: 'spki', format: 'pem' }).toString(), {
        mode: 0o644,
      });
      created = true;
    } catch (e) {
      // Another run created it first: use that one.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      pem = await readKeyFile(path);
    }
  }
  const privateKey = parse(path, () => createPrivateKey(pem));
  const keyId = keyIdOf(createPublicKey(privateKey));
  return {
    keyId,
    created,
    sign: (data) => sign(null, Buffer.from(data), privateKey).toString('base64'),
  };
}

/** A verifier from a private key file (the signer's own) or a public key file (`KEY.pub`). */
export async function loadVerifier(path: string): Promise<AuditVerifier> {
  const pem = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(
      `cannot read the audit key ${path} (${err.code})`,
      'give the key that signed the log: --audit-key FILE (or its public half, KEY.pub)',
    );
  });
  const publicKey = parse(path, () =>
    pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem),
  );
  return {
    keyId: keyIdOf(publicKey),
    verify: (data, signature) => {
      try {
        return verify(null, Buffer.from(data), publicKey, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    },
  };
}

async function readKeyFile(path: string): Promise<string> {
  const st = await stat(path);
  if (st.mode & 0o077)
    throw new UsageError(
      `the audit key ${path} can be read by others (mode ${(st.mode & 0o777).toString(8)})`,
      `chmod 600 ${path}`,
    );
  return readFile(path, 'utf8');
}

function parse(path: string, make: () => KeyObject): KeyObject {
  let key: KeyObject;
  try {
    key = make();
  } catch (err) {
    throw new UsageError(`${path} is not an audit key (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new UsageError(`${path} is not an Ed25519 key`);
  return key;
}
