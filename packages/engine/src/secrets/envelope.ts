import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A secret sealed in an envelope: its own data key encrypts it, the master key wraps that key. */
export interface Envelope {
  /** iv ‖ tag ‖ the data key encrypted with the master key (AAD: the provider name). */
  wrappedKey: Buffer;
  /** iv ‖ tag ‖ the secret encrypted with the data key (AAD: the provider name). */
  ciphertext: Buffer;
}

/**
 * Seals `secret` for `provider`: a fresh random 32-byte data key per call (so a rotation never
 * reuses one), AES-256-GCM with a random IV for both layers, the provider name as associated
 * data, so an envelope moved to another provider's row does not open.
 */
export function seal(masterKey: Buffer, provider: string, secret: string): Envelope {
  const dataKey = randomBytes(32);
  try {
    return {
      ciphertext: encrypt(dataKey, provider, Buffer.from(secret, "utf8")),
      wrappedKey: encrypt(masterKey, provider, dataKey),
    };
  } finally {
    dataKey.fill(0);
  }
}

/** Opens an envelope; throws when anything was changed, or the master key or provider is another. */
export function open(masterKey: Buffer, provider: string, envelope: Envelope): string {
  const dataKey = decrypt(masterKey, provider, envelope.wrappedKey);
  try {
    return decrypt(dataKey, provider, envelope.ciphertext).toString("utf8");
  } finally {
    dataKey.fill(0);
  }
}

function encrypt(key: Buffer, aad: string, plain: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function decrypt(key: Buffer, aad: string, sealed: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error("sealed value too short");
  const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
