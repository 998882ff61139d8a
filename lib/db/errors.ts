import {
  MongoError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from "mongodb";

/**
 * Server error codes a retry can fix: the server stepping down, shutting down, electing a primary,
 * throttling or timing out (MongoDB's retryable-error list, plus write conflicts and lock timeouts).
 */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
  24, // LockTimeout
  50, // MaxTimeMSExpired
  46, // LockBusy
  462, // IngressRequestRateLimitExceeded (Atlas)
]);

/**
 * Whether a database error is one a later attempt can succeed at (the database is unreachable,
 * restarting, electing or overloaded), as opposed to one about the data or the command, which
 * fails the same way every time. Callers answer the first with 503 + Retry-After.
 */
export function isTransientDbError(err: unknown): boolean {
  if (!(err instanceof MongoError)) return false;
  if (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError ||
    err instanceof MongoServerClosedError ||
    err instanceof MongoOperationTimeoutError
  ) {
    return true;
  }
  if (err.hasErrorLabel(MongoErrorLabel.RetryableWriteError) || err.hasErrorLabel(MongoErrorLabel.TransientTransactionError) || err.hasErrorLabel(MongoErrorLabel.ResetPool)) {
    return true;
  }
  if (err instanceof MongoWriteConcernError) return true;
  // Every connection is busy (the pool's wait queue timed out): the driver does not export the class.
  if (err.name === "MongoWaitQueueTimeoutError") return true;
  return typeof err.code === "number" && TRANSIENT_CODES.has(err.code);
}
