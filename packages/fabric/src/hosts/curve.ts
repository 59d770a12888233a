// CURVE security for tile hosts: every party derives the same X25519 key pair from the shared secret file,
// servers run a ZAP handler that admits only clients presenting that public key, and clients expect it from
// the server. Whoever lacks the file can neither connect nor pose as a host.

import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import type { Router } from 'zeromq';
import { zmq } from './zmq.js';

const Z85_CHARS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
/** PKCS#8 DER prefix of a raw 32-byte X25519 private key (RFC 8410). */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';
export const ZAP_DOMAIN = 'wafer';

/** ZeroMQ's Z85 text form of 4n bytes (what its CURVE key options take). */
export function z85(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let v = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
    let chunk = '';
    for (let k = 0; k < 5; k++) {
      chunk = Z85_CHARS[v % 85] + chunk;
      v = Math.floor(v / 85);
    }
    out += chunk;
  }
  return out;
}

export interface CurveKeys {
  publicKey: string;
  secretKey: string;
}

/** The key pair every holder of `secret` derives: secret key = SHA-256 of a label and the secret's bytes. */
export function curveKeys(secret: Uint8Array): CurveKeys {
  const sk = createHash('sha256').update('wafer tile hosts, CURVE v1\0').update(secret).digest();
  const priv = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, sk]), format: 'der', type: 'pkcs8' });
  const pub = Buffer.from(createPublicKey(priv).export({ format: 'jwk' }).x as string, 'base64url');
  return { publicKey: z85(pub), secretKey: z85(sk) };
}

/** Socket options of a CURVE server (a host's listening socket). */
export function serverOptions(keys: CurveKeys): object {
  return { curveServer: true, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey, zapDomain: ZAP_DOMAIN };
}

/** Socket options of a CURVE client (the coordinator, or a host connecting to a peer host). */
export function clientOptions(keys: CurveKeys): object {
  return { curveServerKey: keys.publicKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey };
}

/**
 * Starts the process's ZAP handler (RFC 27): admits CURVE clients whose public key is `keys.publicKey` and
 * refuses every other request. Must be bound before the server socket. Returns the handler socket.
 */
export async function startZapHandler(keys: CurveKeys, onRefused: (address: string) => void): Promise<Router> {
  const zap = new (zmq().Router)({ linger: 0 });
  await zap.bind(ZAP_ENDPOINT);
  void (async () => {
    try {
      for await (const [id, empty, version, requestId, , address, , mechanism, credential] of zap) {
        const ok = mechanism.toString() === 'CURVE' && credential !== undefined && z85(credential) === keys.publicKey;
        if (!ok) onRefused(address.toString());
        await zap.send([id, empty, version, requestId, ok ? '200' : '400', ok ? 'OK' : 'unknown key', '', '']);
      }
    } catch {
      // the handler socket was closed
    }
  })();
  return zap;
}
