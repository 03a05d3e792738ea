/**
 * Constrained action sets: an example may restrict its outputs to a list of strings (e.g. the word spans of a
 * QA context). The list becomes a token trie of `output ⊕ EOS` sequences; at every state the allowed actions are
 * the children of the generated prefix. The actor chooses only among them (greedy, ε-greedy and sampling alike),
 * greedy decoding does the same, and the learner's bootstrap max (or Double-DQN argmax) runs over the allowed
 * actions of s_{t+k} — so Q is learned for the constrained MDP, not the free one.
 */
import type { Tokenizer } from "@dqnlm/mdp";

type Node = Map<number, Node>;

/** A token trie over whole outputs (each ending with EOS). */
export class OutputTrie {
  readonly #root: Node = new Map();
  #size = 0;

  /** A trie of token sequences (each should end with EOS so that every path can stop). */
  static fromSequences(seqs: Iterable<ArrayLike<number>>): OutputTrie {
    const t = new OutputTrie();
    for (const s of seqs) t.#add(s);
    return t;
  }

  /**
   * The trie of `outputs` encoded as generated continuations (tokens ⊕ EOS). Outputs that encode to nothing, or to
   * more than `maxNewTokens − 1` tokens (which the length limit would cut), are left out.
   */
  static fromOutputs(tok: Tokenizer, outputs: Iterable<string>, maxNewTokens: number): OutputTrie {
    const t = new OutputTrie();
    for (const o of outputs) {
      const ids = tok.encode(o);
      if (ids.length === 0 || ids.length >= maxNewTokens) continue;
      t.#add([...ids, tok.eosId]);
    }
    return t;
  }

  #add(s: ArrayLike<number>): void {
    let n = this.#root;
    let fresh = false;
    for (let i = 0; i < s.length; i++) {
      const a = s[i] as number;
      let c = n.get(a);
      if (!c) {
        c = new Map();
        n.set(a, c);
        fresh = true;
      }
      n = c;
    }
    if (fresh) this.#size++;
  }

  /** Number of distinct sequences. */
  get size(): number {
    return this.#size;
  }

  /** Tokens that continue `prefix` inside the trie ([] when the prefix has left it), ascending. */
  allowed(prefix: ArrayLike<number>): number[] {
    let n: Node | undefined = this.#root;
    for (let i = 0; i < prefix.length && n; i++) n = n.get(prefix[i] as number);
    return n ? [...n.keys()].sort((a, b) => a - b) : [];
  }
}

/**
 * Applies a selector to the allowed actions only: `pick` sees the Q-values of `allowed` (in that order) and its
 * choice is mapped back to a token id. `allowed` null or empty: no restriction.
 */
export function selectWithin(
  q: Float32Array,
  off: number,
  V: number,
  allowed: readonly number[] | null | undefined,
  pick: (q: Float32Array, off: number, n: number) => number,
): number {
  if (!allowed || allowed.length === 0) return pick(q, off, V);
  if (allowed.length === 1) return allowed[0] as number;
  const sub = new Float32Array(allowed.length);
  for (let j = 0; j < allowed.length; j++) sub[j] = q[off + (allowed[j] as number)] as number;
  return allowed[pick(sub, 0, allowed.length)] as number;
}
