// Stop sequences over streamed text: text is released only once it cannot be the start of a stop string,
// so a streaming client never sees part of a stop sequence that is later cut.

/** Cuts generated text at the first occurrence of any stop string. */
export class StopMatcher {
  private pending = '';
  private done = false;

  /** `stops`: non-empty strings (OpenAI's `stop`); an empty list never stops. */
  constructor(private readonly stops: readonly string[]) {}

  /**
   * Adds the next decoded piece. Returns the text that is now safe to emit and whether a stop string was
   * found (then the text is everything before it, and later pushes are ignored).
   */
  push(piece: string): { text: string; stopped: boolean } {
    if (this.done) return { text: '', stopped: true };
    this.pending += piece;
    let cut = -1;
    for (const stop of this.stops) {
      const at = this.pending.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      const text = this.pending.slice(0, cut);
      this.pending = '';
      this.done = true;
      return { text, stopped: true };
    }
    const keep = this.partialStopLength();
    const text = this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(this.pending.length - keep);
    return { text, stopped: false };
  }

  /** The held-back text at the end of generation (it never completed a stop string). */
  flush(): string {
    const text = this.pending;
    this.pending = '';
    return text;
  }

  /** Length of the longest suffix of the pending text that is a proper prefix of some stop string. */
  private partialStopLength(): number {
    let best = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, this.pending.length); n > best; n--) {
        if (this.pending.endsWith(stop.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
