import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * First run: no account exists, and no shared or default login is shipped.
 * The server writes a one-time link to create the first administrator into
 * <data>/setup-link (mode 0600, valid 24 h) and prints it; whoever can read
 * the server's files or its console may use it, once. The token rides in the
 * URL fragment, so it never reaches a server log or a Referer header.
 */
export const SETUP_LINK_FILE = 'setup-link';
export const SETUP_VALID_MS = 24 * 3_600_000;

export class SetupLink {
  constructor(
    private readonly dataDir: string,
    private readonly publicUrl: string,
    private readonly now: () => number,
  ) {}

  private get file(): string {
    return path.join(this.dataDir, SETUP_LINK_FILE);
  }

  /** The link to show: the one on disk while it is valid, else a new one. */
  ensure(): { url: string; expiresAt: number } {
    const current = this.read();
    if (current) return current;
    const url = `${this.publicUrl}/setup#${randomBytes(24).toString('base64url')}`;
    fs.mkdirSync(this.dataDir, { recursive: true });
    fs.rmSync(this.file, { force: true });
    fs.writeFileSync(this.file, `${url}\n`, { mode: 0o600 });
    return { url, expiresAt: this.now() + SETUP_VALID_MS };
  }

  /** True when the offered token is the current link's (constant time). */
  accepts(token: string): boolean {
    const current = this.read();
    if (!current) return false;
    const expected = Buffer.from(current.url.split('#')[1] ?? '');
    const offered = Buffer.from(token);
    return expected.length > 0 && offered.length === expected.length && timingSafeEqual(offered, expected);
  }

  /** The first administrator exists: the link is spent. */
  spend(): void {
    fs.rmSync(this.file, { force: true });
  }

  private read(): { url: string; expiresAt: number } | undefined {
    if (!fs.existsSync(this.file)) return undefined;
    const expiresAt = fs.statSync(this.file).mtimeMs + SETUP_VALID_MS;
    if (expiresAt <= this.now()) return undefined;
    return { url: fs.readFileSync(this.file, 'utf8').trim(), expiresAt };
  }
}
