import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Makes sure a program from a Debian package is there for a test: installs
 * it with apt-get when missing, and says so. Never skips silently.
 */
export function ensureDebianProgram(program: string, pkg: string): string {
  if (fs.existsSync(program)) return program;
  process.stderr.write(`test setup: ${program} is missing; installing Debian package ${pkg} with apt-get\n`);
  // Wait for the dpkg lock rather than fail if another install is running.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  execFileSync('apt-get', [...lock, 'update'], { stdio: 'ignore' });
  execFileSync('apt-get', [...lock, 'install', '-y', '--no-install-recommends', pkg], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!fs.existsSync(program)) throw new Error(`installing ${pkg} did not provide ${program}`);
  return program;
}
