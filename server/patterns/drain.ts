import { createHash } from 'node:crypto';
import { mask } from './mask.ts';

// Drain (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth
// Tree", ICWS 2017), as the Drain3 library runs it: lines are masked, split
// into tokens, and routed down a tree of fixed depth — first by token count,
// then by their first `depth - 2` tokens (a token with a digit, or any token
// once a node has `maxChildren` children, goes to the `<*>` branch). In the
// leaf, the template most like the line (share of equal tokens, `<*>`
// counting as no match) takes it when the share reaches `similarity`, and
// every token where the two differ becomes `<*>`; else the line starts a
// new template.

export interface DrainOptions {
  depth: number;
  similarity: number;
  maxChildren: number;
  /** Beyond this many templates the least recently used one is forgotten (Drain3's LRU): memory stays bounded; a forgotten shape that comes back gets its old id again, since ids come from the template. */
  maxClusters: number;
  /** What the ids are unique within (environment and service): the same template in two services is two patterns. */
  scope: string;
}

export interface Cluster {
  id: string;
  template: string;
  count: number;
}

/**
 * The learned state, as JSON: the options, every template as tokens with
 * its id and line count, and the ids of templates that were generalised
 * (old id → the id it became). The tree is rebuilt from the templates.
 */
export interface DrainState {
  version: 1;
  options: DrainOptions;
  clusters: { id: string; tokens: string[]; count: number }[];
  aliases: Record<string, string>;
}

const DEFAULTS: DrainOptions = { depth: 4, similarity: 0.4, maxChildren: 100, maxClusters: 10_000, scope: '' };
const WILDCARD = '<*>';
const HAS_DIGIT = /\d/;
const SPACES = /\s+/;

interface Node {
  children: Map<string, Node>;
  clusters: ClusterEntry[];
}

interface ClusterEntry {
  id: string;
  tokens: string[];
  count: number;
  /** The leaf it sits in: its routing tokens may since have become <*>. */
  leaf: Node;
}

/** A stable id from the template (and its scope): the same template always has the same id, across restarts and imports. */
export function templateId(template: string, scope = ''): string {
  return `p${createHash('sha256').update(`${scope}\n${template}`).digest('hex').slice(0, 12)}`;
}

const newNode = (): Node => ({ children: new Map(), clusters: [] });

export class Drain {
  readonly options: DrainOptions;
  private readonly root = new Map<number, Node>();
  /** Every template by id, in least-recently-used order (a Map keeps insertion order; a use re-inserts). */
  private readonly byId = new Map<string, ClusterEntry>();
  private readonly aliases = new Map<string, string>();

  constructor(options: Partial<DrainOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Learns from one raw line (masked here): the template it joins or starts; `previousId` when joining it generalised that template (its old id now resolves to `id`). */
  add(message: string): { id: string; template: string; created: boolean; previousId?: string } {
    const tokens = tokenize(message);
    const found = this.search(tokens);
    if (!found) {
      const entry = this.insert(tokens, 1);
      return { id: entry.id, template: entry.tokens.join(' '), created: true };
    }
    found.count++;
    this.touch(found);
    let changed = false;
    for (let i = 0; i < tokens.length; i++) {
      if (found.tokens[i] !== tokens[i] && found.tokens[i] !== WILDCARD) {
        found.tokens[i] = WILDCARD;
        changed = true;
      }
    }
    if (!changed) return { id: found.id, template: found.tokens.join(' '), created: false };
    const previousId = found.id;
    const template = found.tokens.join(' ');
    this.byId.delete(previousId);
    found.id = templateId(template, this.options.scope);
    this.byId.set(found.id, found);
    this.aliases.set(previousId, found.id);
    return { id: found.id, template, created: false, previousId };
  }

  /** The template a line belongs to, without learning from it. */
  match(message: string): { id: string; template: string } | undefined {
    const found = this.search(tokenize(message));
    return found && { id: found.id, template: found.tokens.join(' ') };
  }

  /** The current id of `id` (itself, or what it was generalised into); undefined for an id never seen. */
  resolve(id: string): string | undefined {
    let current = id;
    for (let hops = 0; hops < 64 && this.aliases.has(current); hops++) current = this.aliases.get(current)!;
    return this.byId.has(current) || this.aliases.has(id) || current !== id ? current : undefined;
  }

  clusters(): Cluster[] {
    return [...this.byId.values()].map((c) => ({ id: c.id, template: c.tokens.join(' '), count: c.count }));
  }

  exportState(): DrainState {
    return { version: 1, options: this.options, clusters: [...this.byId.values()].map((c) => ({ id: c.id, tokens: [...c.tokens], count: c.count })), aliases: Object.fromEntries(this.aliases) };
  }

  static fromState(state: DrainState): Drain {
    const drain = new Drain(state.options);
    for (const c of state.clusters) {
      const entry = drain.insert(c.tokens, c.count);
      // The id stays what it was, even where the template text is one an alias produced.
      if (entry.id !== c.id) {
        drain.byId.delete(entry.id);
        entry.id = c.id;
        drain.byId.set(c.id, entry);
      }
    }
    for (const [from, to] of Object.entries(state.aliases)) drain.aliases.set(from, to);
    return drain;
  }

  /** The leaf's template most like the tokens, when like enough. */
  private search(tokens: string[]): ClusterEntry | undefined {
    let node = this.root.get(tokens.length);
    if (!node) return undefined;
    const levels = Math.min(this.options.depth - 2, tokens.length);
    for (let i = 0; i < levels && node; i++) node = node.children.get(tokens[i]!) ?? node.children.get(WILDCARD);
    if (!node) return undefined;
    let best: ClusterEntry | undefined;
    let bestSimilarity = -1;
    let bestWildcards = -1;
    for (const c of node.clusters) {
      let same = 0;
      let wildcards = 0;
      for (let i = 0; i < tokens.length; i++) {
        if (c.tokens[i] === WILDCARD) wildcards++;
        else if (c.tokens[i] === tokens[i]) same++;
      }
      const similarity = tokens.length === 0 ? 1 : same / tokens.length;
      if (similarity > bestSimilarity || (similarity === bestSimilarity && wildcards > bestWildcards)) [best, bestSimilarity, bestWildcards] = [c, similarity, wildcards];
    }
    return best && bestSimilarity >= this.options.similarity ? best : undefined;
  }

  /** A new template placed in the tree (Drain3's add_seq_to_prefix_tree). */
  private insert(tokens: string[], count: number): ClusterEntry {
    const { maxChildren, depth } = this.options;
    let node: Node = this.root.get(tokens.length) ?? newNode();
    this.root.set(tokens.length, node);
    const levels = Math.min(depth - 2, tokens.length);
    for (let i = 0; i < levels; i++) {
      const token = tokens[i]!;
      let next: Node | undefined = node.children.get(token);
      if (!next) {
        const wildcard = node.children.get(WILDCARD);
        if (HAS_DIGIT.test(token)) next = wildcard ?? setChild(node, WILDCARD);
        else if (wildcard) next = node.children.size < maxChildren ? setChild(node, token) : wildcard;
        else if (node.children.size + 1 < maxChildren) next = setChild(node, token);
        else next = setChild(node, WILDCARD);
      }
      node = next;
    }
    const entry: ClusterEntry = { id: templateId(tokens.join(' '), this.options.scope), tokens: [...tokens], count, leaf: node };
    node.clusters.push(entry);
    this.byId.set(entry.id, entry);
    if (this.byId.size > this.options.maxClusters) this.forgetOldest();
    return entry;
  }

  private touch(entry: ClusterEntry): void {
    this.byId.delete(entry.id);
    this.byId.set(entry.id, entry);
  }

  private forgetOldest(): void {
    const oldest = this.byId.values().next().value as ClusterEntry;
    this.byId.delete(oldest.id);
    oldest.leaf.clusters.splice(oldest.leaf.clusters.indexOf(oldest), 1);
  }
}

function setChild(node: Node, token: string): Node {
  const child = newNode();
  node.children.set(token, child);
  return child;
}

/** The masked line's tokens, split on whitespace. */
export function tokenize(message: string): string[] {
  const text = mask(message).trim();
  return text === '' ? [] : text.split(SPACES);
}
