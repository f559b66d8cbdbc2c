import type { NodeId } from './subtrees.ts';

/**
 * Storage boundary of the log: stored hashes of perfect subtrees, keyed by NodeId.
 * The PostgreSQL implementation is one table, e.g.
 *   tlog_node(level smallint, idx bigint, hash bytea not null, primary key (level, idx))
 * read with `where (level, idx) in (...)` and written with plain inserts.
 */
export interface HashReader {
  /**
   * The hashes for `ids`, in the same order. Every requested node is complete by construction,
   * so a missing one means the store is corrupt or behind: implementations throw.
   */
  getNodes(ids: readonly NodeId[]): Promise<Buffer[]>;
}

/** A subtree hash to persist: immutable once written. */
export type StoredNode = { readonly level: number; readonly index: number; readonly hash: Buffer };

function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

/** In-memory HashReader for tests and offline tools; also counts reads so tests can bound them. */
export class MemoryHashStore implements HashReader {
  readonly #nodes = new Map<string, Buffer>();
  #nodesRead = 0;

  get nodesRead(): number {
    return this.#nodesRead;
  }

  get size(): number {
    return this.#nodes.size;
  }

  async getNodes(ids: readonly NodeId[]): Promise<Buffer[]> {
    this.#nodesRead += ids.length;
    return ids.map((id) => {
      const hash = this.#nodes.get(nodeKey(id));
      if (hash === undefined) throw new Error(`tlog node ${nodeKey(id)} is not stored`);
      return hash;
    });
  }

  /** Stores nodes; rewriting a node with a different hash is refused, as the database's primary key would. */
  putNodes(nodes: readonly StoredNode[]): void {
    for (const node of nodes) {
      const key = nodeKey(node);
      const existing = this.#nodes.get(key);
      if (existing !== undefined && !existing.equals(node.hash)) throw new Error(`tlog node ${key} would change`);
      this.#nodes.set(key, Buffer.from(node.hash));
    }
  }
}
