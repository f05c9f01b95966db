import { createHash } from 'node:crypto';
import type { Storage } from '../storage/client.ts';
import { dateTimeText, sql } from '../storage/sql.ts';
import { badRequest } from '../http/errors.ts';
import { Drain, type PatternMiner } from '../patterns/index.ts';
import type { KnownIncidents } from '../known-incidents/index.ts';
import { FORMAT, type LearnedState } from './document.ts';

export interface LearnedParts {
  storage: Storage;
  miner: PatternMiner;
  known: KnownIncidents;
  now: () => number;
  version: string;
}

/** The learned state as one document: every parse tree, the pattern catalogue with its aliases, and the incident links. */
export async function exportLearned(parts: LearnedParts): Promise<LearnedState> {
  const patterns = await parts.storage.query<{ id: string; environment: string; service: string; template: string; first_seen: number; replaced_by: string }>(sql`
    SELECT id, environment, argMax(service, recorded_at) AS service, argMax(template, recorded_at) AS template, toUnixTimestamp64Milli(min(first_seen)) AS first_seen, argMax(replaced_by, recorded_at) AS replaced_by
    FROM log_patterns GROUP BY id, environment ORDER BY environment, id`);
  return {
    format: FORMAT,
    version: 1,
    exported_at: new Date(parts.now()).toISOString(),
    mimamori_version: parts.version,
    drains: parts.miner.exportDrains(),
    patterns: patterns.map((p) => ({ ...p, first_seen: new Date(Number(p.first_seen)).toISOString() })),
    incident_links: parts.known.all().map((l) => ({ ...l })),
  };
}

/**
 * Takes a learned state into this instance: patterns the catalogue lacks,
 * links of tickets not linked here, and the parse trees of services not
 * learned here (a service already learned keeps its own tree, and says so).
 * Everything is checked before anything is written; a repeated import adds
 * nothing.
 */
export async function importLearned(parts: LearnedParts, doc: LearnedState) {
  for (const [scope, state] of Object.entries(doc.drains)) {
    if (state.options.scope !== scope) throw badRequest('scope_mismatch', `the tree of ${scope} was made for "${state.options.scope ?? ''}"`, [{ field: `body.drains.${scope}.options.scope`, reason: `must be "${scope}"` }]);
    // Every tree is rebuilt once before anything is written, so a tree that cannot be rebuilt writes nothing.
    try {
      Drain.fromState(state);
    } catch (error) {
      throw badRequest('invalid_tree', `the tree of ${scope} cannot be rebuilt: ${(error as Error).message}`, [{ field: `body.drains.${scope}`, reason: (error as Error).message }]);
    }
  }
  const known = new Set((await parts.storage.query<{ k: string }>(sql`SELECT DISTINCT concat(environment, '/', id) AS k FROM log_patterns`)).map((r) => r.k));
  const fresh = doc.patterns.filter((p) => !known.has(`${p.environment}/${p.id}`));
  const at = dateTimeText(parts.now());
  if (fresh.length) {
    await parts.storage.insertRows('log_patterns', fresh.map((p) => ({ ...p, first_seen: dateTimeText(Date.parse(p.first_seen)), recorded_at: at })), `learned-import-${createHash('sha256').update(JSON.stringify(fresh)).digest('hex')}`);
  }
  // The exporting instance's own tickets are numbered in its ledger: they are kept apart from this one's.
  const links = await parts.known.import(doc.incident_links, `learned-state ${doc.exported_at}`);
  const drains = await parts.miner.importDrains(doc.drains);
  return { patterns_added: fresh.length, incident_links_added: links, drains_added: drains.added, drains_kept: drains.kept };
}
