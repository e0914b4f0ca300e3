/**
 * Camera credentials at rest (issue 20): sealed with AES-256-GCM under the center's camera key,
 * the camera id as associated data (a sealed value copied onto another camera's row does not
 * open). The key is a 0600 file: `GWANJE_CAMERA_KEY_FILE`, else `<dataDir>/keys/camera-secrets`,
 * created on first start. Several instances on one PostgreSQL must share the file (like the
 * database URL); a value that does not open is an error naming the camera, never a crash.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface CameraCredentials {
  username: string;
  password: string;
}

const VERSION = 'v1';

export class CameraSecrets {
  private constructor(private readonly key: Buffer) {}

  /** Reads the key file (narrowed to 0600), or creates it with a new random key. */
  static fromFile(file: string): CameraSecrets {
    try {
      const text = readFileSync(file, 'utf8').trim();
      chmodSync(file, 0o600);
      const key = Buffer.from(text, 'base64url');
      if (key.length !== 32) throw new Error(`camera-secrets: ${file} holds no 32-byte key (base64url)`);
      return new CameraSecrets(key);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    // 'wx': never overwrite a key another process just wrote.
    writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return new CameraSecrets(key);
  }

  static fromKey(key: Buffer): CameraSecrets {
    if (key.length !== 32) throw new Error('camera-secrets: the key must be 32 bytes');
    return new CameraSecrets(key);
  }

  seal(cameraId: string, creds: CameraCredentials): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(cameraId));
    const body = Buffer.concat([c.update(JSON.stringify(creds), 'utf8'), c.final()]);
    return `${VERSION}.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`;
  }

  open(cameraId: string, sealed: string): CameraCredentials {
    const [version, payload] = sealed.split('.');
    const raw = Buffer.from(payload ?? '', 'base64url');
    if (version !== VERSION || raw.length < 29)
      throw new Error(`camera-secrets: credentials of ${cameraId} are unreadable`);
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      d.setAAD(Buffer.from(cameraId));
      d.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      const o = JSON.parse(text) as CameraCredentials;
      return { username: String(o.username ?? ''), password: String(o.password ?? '') };
    } catch {
      throw new Error(`camera-secrets: credentials of ${cameraId} do not open with this center's camera key`);
    }
  }
}
