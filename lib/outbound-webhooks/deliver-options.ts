import type { ObjectId } from "mongodb";
import type { EnqueueOptions } from "@/lib/jobs/types";

/** At most this many attempts to one endpoint at once: a slow endpoint holds its own queue, not everyone's. */
const PER_ENDPOINT_PARALLELISM = 4;

export function deliverOptions(endpointId: ObjectId, deliveryId: ObjectId, attempt: number, delaySeconds = 0): EnqueueOptions {
  return {
    deduplicationId: `webhook-deliver-${deliveryId.toHexString()}-${attempt}`,
    flowControl: { key: `webhook-endpoint-${endpointId.toHexString()}`, parallelism: PER_ENDPOINT_PARALLELISM },
    ...(delaySeconds ? { delaySeconds } : {}),
  };
}
