import { hash, parseOptions, verify } from '@node-rs/argon2';

/**
 * Password hashing: argon2id with OWASP's first recommended parameter set
 * (19 MiB of memory, 2 passes, 1 lane; about 30–60 ms on one core here).
 * The parameters travel inside each hash (PHC string), so raising them later
 * upgrades a user's hash the next time they sign in.
 */
export const HASH_PARAMETERS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, HASH_PARAMETERS);
}

export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  if (!encoded) return false;
  return verify(encoded, password).catch(() => false);
}

/** True when the hash was made with other parameters than today's (then it is made again at sign-in). */
export function needsRehash(encoded: string): boolean {
  const used = parseOptions(encoded);
  return used.algorithm !== HASH_PARAMETERS.algorithm || used.memoryCost !== HASH_PARAMETERS.memoryCost || used.timeCost !== HASH_PARAMETERS.timeCost || used.parallelism !== HASH_PARAMETERS.parallelism;
}

/** A hash to verify against when the account does not exist, so the answer takes as long either way. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(`decoy-${Math.random()}`);
  return decoy;
}
