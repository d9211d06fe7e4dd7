interface Waiting<Q, A> {
  request: Q;
  resolve: (answer: A) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers the requests made during one turn of the event loop and runs them as batches: flushed in
 * a `setImmediate` (after every promise continuation of the turn has run, so callers that resume
 * together ask together), cut so that no batch weighs more than `maxWeight` (a single request
 * heavier than that goes alone). `run` answers a batch with one answer per request, in order; if it
 * throws, or answers a different number of requests, every request in that batch fails (with its
 * error) and no other. Pure of I/O itself.
 */
export class TurnBatcher<Q, A> {
  readonly #run: (batch: Q[]) => Promise<A[]>;
  readonly #maxWeight: number;
  readonly #weight: (request: Q) => number;
  #queue: Waiting<Q, A>[] = [];
  #scheduled = false;

  constructor(run: (batch: Q[]) => Promise<A[]>, maxWeight: number, weight: (request: Q) => number = () => 1) {
    this.#run = run;
    this.#maxWeight = maxWeight;
    this.#weight = weight;
  }

  request(request: Q): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    let start = 0;
    let weight = 0;
    for (let i = 0; i < queue.length; i++) {
      const w = this.#weight(queue[i]!.request);
      if (i > start && weight + w > this.#maxWeight) {
        void this.#runBatch(queue.slice(start, i));
        start = i;
        weight = 0;
      }
      weight += w;
    }
    if (start < queue.length) void this.#runBatch(queue.slice(start));
  }

  async #runBatch(batch: Waiting<Q, A>[]): Promise<void> {
    let answers: A[];
    try {
      answers = await this.#run(batch.map((w) => w.request));
      if (answers.length !== batch.length) throw new Error(`a batch of ${batch.length} requests got ${answers.length} answers`);
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => w.resolve(answers[i]!));
  }
}
