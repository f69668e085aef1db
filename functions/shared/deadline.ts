/**
 * Deadlines of an invocation. Every AWS call a function makes is given an abort signal that fires
 * at its deadline (`{ abortSignal }`, honoured by @smithy/node-http-handler, which destroys the
 * request and throws `AbortError`), so no call outlives the invocation's stated time.
 */

/**
 * Longest an API request may take (the presigner's and the SAML entry's), under API Gateway's
 * 29 s integration timeout; each answers by min(this, Lambda time left − 1 s).
 */
export const MAX_REQUEST_MS = 25_000;

/** An abort signal that fires `ms` from now with `reason`; `clear` stops its timer. */
export function deadlineSignal(
  ms: number,
  reason: () => Error,
): { readonly signal: AbortSignal; readonly clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => {
      controller.abort(reason());
    },
    Math.max(0, ms),
  );
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
    },
  };
}

/**
 * `work`, given a signal that aborts after `budgetMs`; settles by then with `onDeadline()`'s error
 * even should something in `work` not heed the signal.
 */
export async function withDeadline<T>(
  budgetMs: number,
  onDeadline: () => Error,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { signal, clear } = deadlineSignal(budgetMs, onDeadline);
  try {
    return await abortable(work(signal), signal);
  } finally {
    clear();
  }
}

/**
 * `promise`, or the signal's reason as soon as it aborts (what it waits on is not cancelled, and
 * its later failure is handled here, never left unhandled).
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason as Error);
    };
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}
