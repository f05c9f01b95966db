import { createHash } from 'node:crypto';
import { mask } from './mask.ts';

// Online log template mining with Drain (He et al., ICWS 2017), following
// Drain3 (logpai/Drain3, drain.py) step by step:
//
// - A line is masked (mask.ts, as Drain3's TemplateMiner does before Drain)
//   and split on whitespace only. Drain3's optional extra delimiters are not
//   used: a template is turned back into an expression over the raw line by
//   templateRegex (queries.ts), which joins tokens by whitespace, so `=` or
//   `:` inside a token must stay inside it. Masking already generalises the
//   value in `user=<NUM>`. A Japanese sentence without spaces is one token.
// - Fixed-depth parse tree: root → token count → the first `depth - 3`
//   tokens (Drain3 counts the root, the token-count layer and the leaf in
//   `depth`; 1 token at the default 4) → a leaf holding clusters. A token
//   with a digit goes to the `<*>` branch (Drain3's parametrize_numeric_tokens,
//   on by default); once a node has maxChildren children, new tokens go there too.
// - Similarity of a line to a template: the share of positions where the
//   template's token equals the line's, `<*>` not counting as equal
//   (Drain3's add_log_message uses include_params=False; typed placeholders
//   such as <NUM> are ordinary tokens). The most similar cluster of the leaf
//   wins (ties: the one with more `<*>`, then the older), if ≥ `similarity`.
// - Joining a cluster turns the template's differing tokens into `<*>`.

export const WILDCARD = '<*>';

export interface DrainOptions {
  /** Depth of the leaves, as in Drain3 (≥ 3): depth − 3 leading tokens route a line. */
  depth: number;
  /** Least share of equal tokens for a line to join a cluster (0–1). */
  similarity: number;
  /** Children of a tree node beyond which new tokens share the `<*>` child. */
  maxChildren: number;
  /** Clusters at most; after that, lines that match none go to the catch-all (see add). */
  maxClusters: number;
  /**
   * Salt of the ids (beyond the brief; miner.ts passes `environment/service`):
   * the same template in two services would otherwise get the same id, and
   * the catalogue (log_patterns, one row an id) would mix their histories.
   */
  scope?: string;
}

export const DEFAULT_DRAIN_OPTIONS: DrainOptions = { depth: 4, similarity: 0.4, maxChildren: 100, maxClusters: 10_000 };

export interface Cluster { id: string; template: string; count: number }

/**
 * What exportState gives and fromState takes (plain JSON):
 * - `options`: the options the Drain was made with;
 * - `clusters`: every cluster in the order it was created (the order the
 *   tree is rebuilt in, which makes the rebuilt tree the same), each with
 *   its current id, template tokens (of the masked line) and line count; the
 *   catch-all, once used, comes last with id templateId('<*>', scope) and
 *   tokens ['<*>'];
 * - `aliases`: former id → the id its cluster took when its template was
 *   generalised (follow the chain to the newest).
 */
export interface DrainState {
  version: 1;
  options: DrainOptions;
  clusters: { id: string; tokens: string[]; count: number }[];
  aliases: Record<string, string>;
}

/** A template's id: 'p' and the first 12 hex digits (48 bits) of the SHA-256 of the template (of `scope` + newline + template with a scope), so the same template gets the same id in every process. */
export function templateId(template: string, scope = ''): string {
  return `p${createHash('sha256').update(scope === '' ? template : `${scope}\n${template}`).digest('hex').slice(0, 12)}`;
}

interface LogCluster { id: string; tokens: string[]; template: string; count: number }
interface TreeNode { children: Map<string, TreeNode>; clusters: LogCluster[] }

const newNode = (): TreeNode => ({ children: new Map(), clusters: [] });
const HAS_DIGIT = /\p{Nd}/u; // as Python's str.isdigit in Drain3: full-width digits count

/** Whitespace-separated tokens of an (already masked) line. */
export function tokenize(line: string): string[] {
  const trimmed = line.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

export class Drain {
  readonly options: DrainOptions;
  private readonly root = new Map<number, TreeNode>();
  /** Creation order: the order fromState replays. */
  private readonly ordered: LogCluster[] = [];
  private readonly byId = new Map<string, LogCluster>();
  private readonly aliases = new Map<string, string>();
  private catchAllCount = 0;
  /** The catch-all's id: that of the template `<*>`, which no cluster gets (see freshId). */
  readonly catchAllId: string;

  constructor(options: Partial<DrainOptions> = {}) {
    const o = { ...DEFAULT_DRAIN_OPTIONS, ...options };
    if (!Number.isInteger(o.depth) || o.depth < 3) throw new RangeError('Drain: depth must be an integer ≥ 3');
    if (!(o.similarity >= 0 && o.similarity <= 1)) throw new RangeError('Drain: similarity must be within 0–1');
    if (!Number.isInteger(o.maxChildren) || o.maxChildren < 2) throw new RangeError('Drain: maxChildren must be an integer ≥ 2');
    if (!Number.isInteger(o.maxClusters) || o.maxClusters < 1) throw new RangeError('Drain: maxClusters must be an integer ≥ 1');
    this.options = o;
    this.catchAllId = templateId(WILDCARD, o.scope);
  }

  /**
   * Learns from one raw line (masked here): the cluster it joins or creates.
   * When the template generalises, the cluster takes the id of its new
   * template and its old id becomes an alias (`previousId`).
   *
   * Bounded memory: once maxClusters clusters exist, no cluster is created;
   * a line that joins none is counted under the catch-all (template `<*>`,
   * id catchAllId, `created` the first time). Existing clusters still
   * learn. Drain3 evicts the least recently used cluster instead; here that
   * would (1) let a flood of one-off lines (e.g. an unmasked id) evict the
   * long-lived templates and mint an id a line, each written to the
   * log_patterns catalogue that readers load whole, and (2) leave tree nodes
   * behind that a rebuild from the clusters cannot reproduce. A full Drain
   * shows as a growing catch-all count: mask the culprit or raise the cap.
   */
  add(message: string): { id: string; template: string; created: boolean; previousId?: string } {
    const tokens = tokenize(mask(message));
    const cluster = this.treeSearch(tokens, this.options.similarity, false);
    if (cluster === undefined) {
      if (this.ordered.length >= this.options.maxClusters) {
        this.catchAllCount++;
        return { id: this.catchAllId, template: WILDCARD, created: this.catchAllCount === 1 };
      }
      const template = tokens.join(' ');
      const created: LogCluster = { id: this.freshId(template), tokens, template, count: 1 };
      this.insert(created);
      return { id: created.id, template, created: true };
    }
    cluster.count++;
    if (!this.generalises(cluster.tokens, tokens)) return { id: cluster.id, template: cluster.template, created: false };
    const previousId = cluster.id;
    cluster.tokens = cluster.tokens.map((t, i) => (t === tokens[i] ? t : WILDCARD));
    cluster.template = cluster.tokens.join(' ');
    cluster.id = this.freshId(cluster.template);
    this.byId.delete(previousId);
    this.byId.set(cluster.id, cluster);
    this.aliases.set(previousId, cluster.id);
    return { id: cluster.id, template: cluster.template, created: false, previousId };
  }

  /**
   * Matches without learning: the cluster whose template covers the line
   * (every token equal or `<*>`), as Drain3's match() with
   * full_search_strategy "fallback": the tree first, then every cluster of
   * the same token count. Lines the catch-all took match nothing.
   */
  match(message: string): { id: string; template: string } | undefined {
    const tokens = tokenize(mask(message));
    const found = this.treeSearch(tokens, 1, true) ?? this.fastMatch(this.sameLength(tokens.length), tokens, 1, true);
    return found && { id: found.id, template: found.template };
  }

  /** The current id of a cluster's current or former id (aliases followed to the newest); undefined for an id never given out. */
  resolve(id: string): string | undefined {
    let current = id;
    for (let hops = 0; hops <= this.aliases.size; hops++) {
      if (this.byId.has(current) || (current === this.catchAllId && this.catchAllCount > 0)) return current;
      const next = this.aliases.get(current);
      if (next === undefined) return undefined;
      current = next;
    }
    return undefined;
  }

  /** Every cluster in creation order, the catch-all last once used. */
  clusters(): Cluster[] {
    const all = this.ordered.map((c) => ({ id: c.id, template: c.template, count: c.count }));
    if (this.catchAllCount > 0) all.push({ id: this.catchAllId, template: WILDCARD, count: this.catchAllCount });
    return all;
  }

  exportState(): DrainState {
    const clusters = this.ordered.map((c) => ({ id: c.id, tokens: [...c.tokens], count: c.count }));
    if (this.catchAllCount > 0) clusters.push({ id: this.catchAllId, tokens: [WILDCARD], count: this.catchAllCount });
    return { version: 1, options: { ...this.options }, clusters, aliases: Object.fromEntries(this.aliases) };
  }

  /**
   * Rebuilds a Drain from its state. Replaying the clusters in creation
   * order with their current tokens gives the very tree the original has:
   * a cluster's prefix token can only have become `<*>` if it was routed to
   * the `<*>` child in the first place (a literal child only admits lines
   * with that very token), and nodes are never removed.
   */
  static fromState(state: DrainState): Drain {
    if (state.version !== 1) throw new Error(`Drain state version ${String(state.version)} is not supported`);
    const drain = new Drain(state.options);
    for (const { id, tokens, count } of state.clusters) {
      if (id === drain.catchAllId) {
        drain.catchAllCount = count;
        continue;
      }
      drain.insert({ id, tokens: [...tokens], template: tokens.join(' '), count });
    }
    for (const [from, to] of Object.entries(state.aliases)) drain.aliases.set(from, to);
    return drain;
  }

  /** The template's id, or if a live cluster, a former id or the catch-all has it already (two clusters may share a template), the id of the template with `\0` and a counter. */
  private freshId(template: string): string {
    const { scope } = this.options;
    let id = templateId(template, scope);
    for (let n = 1; this.byId.has(id) || this.aliases.has(id) || id === this.catchAllId; n++) id = templateId(`${template}\u0000${n}`, scope);
    return id;
  }

  /** Whether merging the line turns a template token into `<*>`. */
  private generalises(template: string[], tokens: string[]): boolean {
    for (let i = 0; i < template.length; i++) if (template[i] !== tokens[i] && template[i] !== WILDCARD) return true;
    return false;
  }

  /** Drain3's tree_search: down by token count and leading tokens (a missing token falls back to `<*>`), then the best cluster of the leaf. */
  private treeSearch(tokens: string[], threshold: number, includeParams: boolean): LogCluster | undefined {
    let node = this.root.get(tokens.length);
    if (node === undefined) return undefined;
    if (tokens.length === 0) return node.clusters[0];
    const routed = Math.min(this.options.depth - 3, tokens.length - 1);
    for (let i = 0; i < routed; i++) {
      node = node.children.get(tokens[i]!) ?? node.children.get(WILDCARD);
      if (node === undefined) return undefined;
    }
    return this.fastMatch(node.clusters, tokens, threshold, includeParams);
  }

  /** Drain3's fast_match: the most similar cluster (ties: more `<*>`, then the first), if at least `threshold`. */
  private fastMatch(candidates: LogCluster[], tokens: string[], threshold: number, includeParams: boolean): LogCluster | undefined {
    let best: LogCluster | undefined;
    let bestSimilarity = -1;
    let bestParams = -1;
    for (const cluster of candidates) {
      const template = cluster.tokens;
      let equal = 0;
      let params = 0;
      for (let i = 0; i < template.length; i++) {
        if (template[i] === WILDCARD) params++;
        else if (template[i] === tokens[i]) equal++;
      }
      const similarity = template.length === 0 ? 1 : (includeParams ? equal + params : equal) / template.length;
      if (similarity > bestSimilarity || (similarity === bestSimilarity && params > bestParams)) {
        best = cluster;
        bestSimilarity = similarity;
        bestParams = params;
      }
    }
    return bestSimilarity >= threshold ? best : undefined;
  }

  /** Clusters with this many tokens, in Drain3's order (a node's clusters, then its children's). */
  private sameLength(length: number): LogCluster[] {
    const found: LogCluster[] = [];
    const visit = (node: TreeNode) => {
      found.push(...node.clusters);
      for (const child of node.children.values()) visit(child);
    };
    const top = this.root.get(length);
    if (top) visit(top);
    return found;
  }

  /** Drain3's add_seq_to_prefix_tree, and the cluster registered. */
  private insert(cluster: LogCluster): void {
    this.ordered.push(cluster);
    this.byId.set(cluster.id, cluster);
    const { tokens } = cluster;
    let node = this.root.get(tokens.length);
    if (node === undefined) this.root.set(tokens.length, (node = newNode()));
    if (tokens.length === 0) {
      node.clusters = [cluster];
      return;
    }
    const routed = Math.min(this.options.depth - 3, tokens.length - 1);
    for (let i = 0; i < routed; i++) node = this.childFor(node, tokens[i]!);
    node.clusters.push(cluster);
  }

  private childFor(node: TreeNode, token: string): TreeNode {
    const existing = node.children.get(token);
    if (existing) return existing;
    const { maxChildren } = this.options;
    const size = node.children.size;
    const makeChild = (key: string) => {
      const child = newNode();
      node.children.set(key, child);
      return child;
    };
    const wildcard = () => node.children.get(WILDCARD) ?? makeChild(WILDCARD);
    if (HAS_DIGIT.test(token)) return wildcard();
    if (node.children.has(WILDCARD)) return size < maxChildren ? makeChild(token) : wildcard();
    // The last free place goes to `<*>`, so that later tokens have somewhere to go.
    return size + 1 < maxChildren ? makeChild(token) : wildcard();
  }
}
