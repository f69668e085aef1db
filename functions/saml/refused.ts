/** A refused response. `reason` is for the log only; the caller sees a page with no detail. */
export class SamlRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
