import { Type, type Static } from 'typebox';

// The learned state as a document (issue 18, item 8): what Mimamori has
// learned of the application's log lines and of past incidents, so that a
// new operator, another vendor or a fresh instance gets the same matches.
// docs/LEARNED-STATE.md describes every field for readers without Mimamori.

export const FORMAT = 'mimamori-learned-state';

const DrainOptions = Type.Object({
  depth: Type.Integer({ minimum: 3, maximum: 16, description: 'depth of the parse tree’s leaves (Drain3: depth − 3 leading tokens route a line)' }),
  similarity: Type.Number({ minimum: 0, maximum: 1, description: 'least share of equal tokens for a line to join a template' }),
  maxChildren: Type.Integer({ minimum: 2, description: 'children of a tree node beyond which new tokens share the <*> child' }),
  maxClusters: Type.Integer({ minimum: 1, description: 'templates at most; beyond, unmatched lines go to the catch-all' }),
  scope: Type.Optional(Type.String({ description: 'environment/service: salts the ids' })),
}, { additionalProperties: false });

const DrainState = Type.Object({
  version: Type.Literal(1),
  options: DrainOptions,
  clusters: Type.Array(Type.Object({
    id: Type.String({ pattern: '^p[0-9a-f]{12}$' }),
    tokens: Type.Array(Type.String(), { description: 'empty for a blank line' }),
    count: Type.Integer({ minimum: 0 }),
  }, { additionalProperties: false }), { description: 'templates in the order they were created (the order that rebuilds the same tree)' }),
  aliases: Type.Record(Type.String(), Type.String(), { description: 'former id → the id its template took when Drain generalised it' }),
}, { additionalProperties: false });

const Pattern = Type.Object({
  id: Type.String({ pattern: '^p[0-9a-f]{12}$' }),
  environment: Type.String({ minLength: 1 }),
  service: Type.String(),
  template: Type.String({ description: 'empty for a former id' }),
  first_seen: Type.String({ format: 'date-time' }),
  replaced_by: Type.String({ description: 'the id it was generalised into; empty while current' }),
}, { additionalProperties: false });

const Summary = Type.Object({
  title: Type.String(),
  title_en: Type.Optional(Type.String()),
  root_cause_category: Type.Optional(Type.String()),
  cause: Type.Optional(Type.String()),
  interim_fix: Type.Optional(Type.String()),
  permanent_fix: Type.Optional(Type.String()),
  workarounds: Type.Array(Type.Object({ id: Type.String(), version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })),
  opened_at: Type.Integer({ description: 'epoch ms' }),
  closed_at: Type.Integer({ description: 'epoch ms' }),
}, { additionalProperties: false });

const Link = Type.Object({
  origin: Type.String({ description: 'empty: a ticket of the exporting instance; else the learned state it came from before' }),
  ticket: Type.String({ pattern: '^[A-Z]+-\\d{4}-\\d+$' }),
  environment: Type.String({ minLength: 1 }),
  kind: Type.Union([Type.Literal('alert'), Type.Literal('pattern'), Type.Literal('closed')]),
  key: Type.String({ description: 'alert fingerprint or pattern id; empty for `closed`' }),
  service: Type.String(),
  label: Type.String({ description: 'rule name or template' }),
  count: Type.Integer({ minimum: 0, description: 'lines of the pattern around the detection' }),
  summary: Summary,
  linked_at: Type.Integer({ description: 'epoch ms' }),
  linked_by: Type.String(),
}, { additionalProperties: false });

export const LearnedState = Type.Object({
  format: Type.Literal(FORMAT),
  version: Type.Literal(1),
  exported_at: Type.String({ format: 'date-time' }),
  mimamori_version: Type.String(),
  drains: Type.Record(Type.String({ pattern: '^[^/]+/.+$' }), DrainState, { description: 'one parse tree per environment/service' }),
  patterns: Type.Array(Pattern),
  incident_links: Type.Array(Link),
}, { additionalProperties: false });

export type LearnedState = Static<typeof LearnedState>;
