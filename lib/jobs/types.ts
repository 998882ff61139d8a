export type EnqueueOptions = {
  /** Seconds before the first delivery. */
  delaySeconds?: number;
  /** Same id within the dedup window: the second enqueue is dropped (QStash `Upstash-Deduplication-Id`). */
  deduplicationId?: string;
  /** QStash flow control: at most `rate` starts per `periodSeconds` and `parallelism` at once, per key. */
  flowControl?: { key: string; rate?: number; periodSeconds?: number; parallelism?: number };
};

export type EnqueueResult = { messageId: string; deduplicated: boolean };

export type JobDriver = {
  name: "qstash" | "in-process";
  publish(job: string, payload: unknown, options: EnqueueOptions): Promise<EnqueueResult>;
  /** Many messages in few calls (QStash's batch endpoint); results in input order. */
  publishBatch?(items: { job: string; payload: unknown; options?: EnqueueOptions }[]): Promise<EnqueueResult[]>;
};
