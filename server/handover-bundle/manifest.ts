import type { Bilingual } from '../approvals/index.ts';
import type { MinerCursor } from '../patterns/index.ts';

/** What manifest.json says: enough to check every file and to read every column without Mimamori. */
export const BUNDLE_FORMAT = 'mimamori-handover';

export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
  about?: Bilingual;
}

export interface ManifestTable {
  name: string;
  about: Bilingual;
  rows: number;
  /** The column `from` and `to` are read from (the time the rows describe), UTC. */
  time_column: string | null;
  from: string | null;
  to: string | null;
  /** How long writing its files took. */
  seconds: number;
  columns: { name: string; type: string; meaning: Bilingual; blanked?: boolean }[];
  files: (ManifestFile & { format: 'Parquet' | 'CSVWithNames' | 'Native' })[];
}

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  version: 1;
  mimamori_version: string;
  exported_at: string;
  requested_by: string;
  approved_by: string;
  storage: 'embedded' | 'remote';
  /** Where the pattern miner stood when log_pattern_counts was written: the importing miner starts there. */
  miner_cursor: MinerCursor;
  tables: ManifestTable[];
  /** The other files (schema.sql, learned-state.json, README.md). */
  files: ManifestFile[];
}

/** Every file the manifest names, with its checksum. */
export const allFiles = (m: Manifest): ManifestFile[] => [...m.files, ...m.tables.flatMap((t) => t.files)];

/** A file name of the bundle: letters, digits, `_`, `-` and dots, never a path (a crafted manifest must not reach outside the bundle). */
export const isBundleFileName = (name: unknown): name is string => typeof name === 'string' && /^[\w-][\w.-]{0,119}$/.test(name) && !name.includes('..');
