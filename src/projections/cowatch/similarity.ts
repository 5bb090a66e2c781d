// Item-to-item cosine similarity with shrinkage from a sparse user × item matrix, top-K neighbours
// per item. Pure and in memory: the co-occurrence of a user's items costs the square of their
// history, which is seconds here and many minutes as a SQL self-join (see refresh.ts).

/** One entry per (user, item) with its weight; indexes are dense, from 0. */
export interface SparseInteractions {
  readonly users: number;
  readonly items: number;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly weight: Float64Array;
}

/** For each item, its neighbours by decreasing similarity: `neighbours[offsets[i] … offsets[i + 1])`. */
export interface Neighbourhoods {
  readonly offsets: Int32Array;
  readonly neighbours: Int32Array;
  readonly similarities: Float64Array;
}

interface Csr {
  readonly start: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

const compress = (rows: number, row: Int32Array, column: Int32Array, weight: Float64Array): Csr => {
  const start = new Int32Array(rows + 1);
  for (const r of row) start[r + 1]! += 1;
  for (let r = 0; r < rows; r++) start[r + 1]! += start[r]!;
  const fill = start.slice(0, rows);
  const index = new Int32Array(row.length);
  const weights = new Float64Array(row.length);
  for (let n = 0; n < row.length; n++) {
    const at = fill[row[n]!]!++;
    index[at] = column[n]!;
    weights[at] = weight[n]!;
  }
  return { start, index, weight: weights };
};

export interface SimilarityOptions {
  readonly neighbours: number;
  readonly shrinkage: number;
}

export const topNeighbours = (matrix: SparseInteractions, options: SimilarityOptions): Neighbourhoods => {
  const steps = computeInSteps(matrix, options, Infinity);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
};

/**
 * The same, pausing every `sliceMs` of work so that the event loop it runs in (the scheduler
 * thread's) keeps answering meanwhile: a stop, a request for metrics.
 */
export const topNeighboursInSlices = async (
  matrix: SparseInteractions,
  options: SimilarityOptions,
  sliceMs = 20,
): Promise<Neighbourhoods> => {
  const steps = computeInSteps(matrix, options, sliceMs);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
};

function* computeInSteps(matrix: SparseInteractions, options: SimilarityOptions, sliceMs: number): Generator<void, Neighbourhoods> {
  const byUser = compress(matrix.users, matrix.user, matrix.item, matrix.weight);
  const byItem = compress(matrix.items, matrix.item, matrix.user, matrix.weight);
  const norms = new Float64Array(matrix.items);
  for (let n = 0; n < matrix.item.length; n++) norms[matrix.item[n]!]! += matrix.weight[n]! ** 2;

  const k = options.neighbours;
  const offsets = new Int32Array(matrix.items + 1);
  const neighbours = new Int32Array(matrix.items * k);
  const similarities = new Float64Array(matrix.items * k);
  const accumulated = new Float64Array(matrix.items);
  const touched = new Int32Array(matrix.items);
  const heap = new TopK(k);
  // Locals rather than property reads in the inner loop, which runs Σ (history length)² times.
  const { start: itemStart, index: itemUsers, weight: itemWeights } = byItem;
  const { start: userStart, index: userItems, weight: userWeights } = byUser;
  let written = 0;
  let sliceStart = performance.now();
  for (let i = 0; i < matrix.items; i++) {
    if ((i & 63) === 0 && performance.now() - sliceStart > sliceMs) {
      yield;
      sliceStart = performance.now();
    }
    let count = 0;
    for (let a = itemStart[i]!, aEnd = itemStart[i + 1]!; a < aEnd; a++) {
      const user = itemUsers[a]!;
      const wi = itemWeights[a]!;
      for (let b = userStart[user]!, bEnd = userStart[user + 1]!; b < bEnd; b++) {
        const j = userItems[b]!;
        const before = accumulated[j]!;
        if (before === 0) touched[count++] = j;
        accumulated[j] = before + wi * userWeights[b]!;
      }
    }
    heap.clear();
    const normI = norms[i]!;
    for (let t = 0; t < count; t++) {
      const j = touched[t]!;
      const together = accumulated[j]!;
      accumulated[j] = 0;
      if (j !== i && together > 0) heap.offer(j, together / (Math.sqrt(normI * norms[j]!) + options.shrinkage));
    }
    written = heap.drainInto(neighbours, similarities, written);
    offsets[i + 1] = written;
  }
  return { offsets, neighbours: neighbours.slice(0, written), similarities: similarities.slice(0, written) };
}

/** The k largest (score, id) pairs seen, ties to the smaller id; a binary min-heap on typed arrays. */
class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float64Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.ids = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  clear(): void {
    this.size = 0;
  }

  /** True when (a, ida) ranks below (b, idb). */
  private below(a: number, ida: number, b: number, idb: number): boolean {
    return a < b || (a === b && ida > idb);
  }

  offer(id: number, score: number): void {
    if (this.k === 0) return;
    if (this.size < this.k) {
      let at = this.size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!this.below(score, id, this.scores[parent]!, this.ids[parent]!)) break;
        this.ids[at] = this.ids[parent]!;
        this.scores[at] = this.scores[parent]!;
        at = parent;
      }
      this.ids[at] = id;
      this.scores[at] = score;
      return;
    }
    if (!this.below(this.scores[0]!, this.ids[0]!, score, id)) return;
    this.siftDown(id, score, this.size);
  }

  private siftDown(id: number, score: number, size: number): void {
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.below(this.scores[right]!, this.ids[right]!, this.scores[left]!, this.ids[left]!) ? right : left;
      if (!this.below(this.scores[child]!, this.ids[child]!, score, id)) break;
      this.ids[at] = this.ids[child]!;
      this.scores[at] = this.scores[child]!;
      at = child;
    }
    this.ids[at] = id;
    this.scores[at] = score;
  }

  /** Writes the kept entries, best first, at `from`; returns where the next item's begin. */
  drainInto(ids: Int32Array, scores: Float64Array, from: number): number {
    const count = this.size;
    // Pop the minimum repeatedly, filling from the back: the result is best first.
    for (let remaining = count; remaining > 0; remaining--) {
      ids[from + remaining - 1] = this.ids[0]!;
      scores[from + remaining - 1] = this.scores[0]!;
      const lastId = this.ids[remaining - 1]!;
      const lastScore = this.scores[remaining - 1]!;
      if (remaining > 1) this.siftDown(lastId, lastScore, remaining - 1);
    }
    this.size = 0;
    return from + count;
  }
}
