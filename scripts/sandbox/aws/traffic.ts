/**
 * What the emulator counts and how it misbehaves on purpose: the calls answered, and throttling of
 * a fraction of STS and SageMaker calls (for the failure benchmark).
 */
export class Traffic {
  /** Calls answered, by `Service.Operation` and by `Service.Operation:Outcome`. */
  readonly calls = new Map<string, number>();
  /** Fraction of STS and SageMaker calls answered with throttling. */
  throttleRate = 0;
  random: () => number = Math.random;

  count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  throttled(): boolean {
    return this.throttleRate > 0 && this.random() < this.throttleRate;
  }
}
