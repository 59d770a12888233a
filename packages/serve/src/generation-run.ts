// Runs one queued request on the mesh engine: generates token by token, decodes and cuts at stop strings,
// stops between tokens when the client goes away, and reports modeled (from the mesh runs' cycles, placed
// on the modeled serving clock) and wall-clock timings.
import { generate, type MeshLlama, type ModelDescription, type Tokenizer } from '@wafer/llama';
import type { GenerationRequest } from './request-parse.js';
import type { ModeledServingClock } from './serving-clock.js';
import { StopMatcher } from './stop-matcher.js';

/** OpenAI's finish reasons that wafer produces. */
export type FinishReason = 'stop' | 'length';

/** Modeled figures of one request (seconds are modeled seconds on the emulated chip). */
export interface ModeledTimings {
  arrivalS: number;
  queueS: number;
  /** queueS plus every prefill-phase mesh run (the time to first token a user of the wafer would see). */
  ttftS: number;
  prefillCycles: number;
  /** How the prompt ran: 'meshgemm' (batched), 'decode' (token by token), or 'none' (max_tokens 0). */
  prefill: string;
  decodeSteps: number;
  decodeCycles: number;
  /** clockHz / mean decode cycles per token; null when no decode step ran. */
  decodeTokS: number | null;
  /** Modeled time the chip was busy with this request. */
  serviceS: number;
  finishS: number;
}

/** Wall-clock figures of one request (this machine). */
export interface WallTimings {
  queueS: number;
  /** Arrival to the first generated token (queue included); null when no token was generated. */
  ttftS: number | null;
  decodeTokS: number | null;
  totalS: number;
}

/** What a finished (or cancelled) generation produced. */
export interface GenerationOutcome {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason;
  /** True when the client went away and generation stopped early. */
  cancelled: boolean;
  modeled: ModeledTimings;
  wall: WallTimings;
}

/** A queued request: what to generate, where streamed text goes, and the client's abort signal. */
export interface GenerationJob {
  request: GenerationRequest;
  /** Wall time (performance.now ms) at which the request was queued. */
  arrivalWallMs: number;
  /** Its modeled arrival (ModeledServingClock.arrivalOf the same moment). */
  arrivalS: number;
  /** Aborted when the client disconnects (or the server gives up on it at shutdown). */
  signal: AbortSignal;
  /** Receives each piece of text as soon as it is safe to emit (streaming); may be absent. */
  onText?: (text: string) => void;
}

/** What the token loop produced. */
interface GeneratedText {
  text: string;
  tokens: number;
  firstTokenWallMs: number | undefined;
  finishReason: FinishReason;
  cancelled: boolean;
}

/** Runs jobs on one mesh engine, one at a time, keeping the modeled serving clock. */
export class GenerationRunner {
  constructor(
    private readonly engine: MeshLlama,
    private readonly model: ModelDescription,
    private readonly tokenizer: Tokenizer,
    private readonly clock: ModeledServingClock,
  ) {}

  /** Generates `job` to its end, a stop string, or the client's abort (checked between tokens). */
  async run(job: GenerationJob): Promise<GenerationOutcome> {
    const startWallMs = performance.now();
    const slot = this.clock.start(job.arrivalS);
    this.engine.steps.splice(0); // the record of every earlier run is not needed (keeps memory flat)
    let text: GeneratedText;
    let modeled: ModeledTimings;
    try {
      text = await this.generateText(job);
    } finally {
      modeled = this.chargeModeledTime(slot); // also when generation failed: the chip ran what it ran
    }
    const endWallMs = performance.now();
    const decodeWallS = text.firstTokenWallMs === undefined ? 0 : (endWallMs - text.firstTokenWallMs) / 1000;
    return {
      text: text.text,
      promptTokens: job.request.promptIds.length,
      completionTokens: text.tokens,
      finishReason: text.finishReason,
      cancelled: text.cancelled,
      modeled,
      wall: {
        queueS: (startWallMs - job.arrivalWallMs) / 1000,
        ttftS: text.firstTokenWallMs === undefined ? null : (text.firstTokenWallMs - job.arrivalWallMs) / 1000,
        decodeTokS: modeled.decodeSteps > 0 && decodeWallS > 0 ? modeled.decodeSteps / decodeWallS : null,
        totalS: (endWallMs - job.arrivalWallMs) / 1000,
      },
    };
  }

  /** The token loop: decodes each new token, cuts at stop strings, streams safe text, stops on abort. */
  private async generateText(job: GenerationJob): Promise<GeneratedText> {
    const { request } = job;
    const decoder = this.tokenizer.streamDecoder(request.promptIds[request.promptIds.length - 1]);
    const stops = new StopMatcher(request.stops);
    const out: GeneratedText = { text: '', tokens: 0, firstTokenWallMs: undefined, finishReason: 'length', cancelled: false };
    const emit = (piece: string) => {
      if (piece === '') return;
      out.text += piece;
      job.onText?.(piece);
    };
    const events = generate(this.engine, request.promptIds, {
      maxNewTokens: request.maxNewTokens,
      sampler: request.sampler,
      eosId: this.model.eosId,
      bosId: this.model.bosId,
      stopOnBos: this.model.stopOnBos,
    });
    for await (const ev of events) {
      if (ev.type === 'done') {
        out.finishReason = ev.result.stopReason === 'eos' ? 'stop' : 'length';
        break;
      }
      out.tokens++;
      out.firstTokenWallMs ??= performance.now();
      const cut = stops.push(decoder.push(ev.id));
      emit(cut.text);
      if (cut.stopped) {
        out.finishReason = 'stop';
        return out;
      }
      if (job.signal.aborted) {
        out.cancelled = true;
        return out;
      }
    }
    emit(stops.push(decoder.flush()).text);
    emit(stops.flush());
    return out;
  }

  /** Sums the mesh runs of this request and holds the modeled chip for them. */
  private chargeModeledTime(slot: ReturnType<ModeledServingClock['start']>): ModeledTimings {
    const steps = this.engine.steps.splice(0);
    let prefillCycles = 0;
    let decodeCycles = 0;
    let decodeSteps = 0;
    for (const s of steps) {
      if (s.phase === 'prefill') prefillCycles += s.report.modeledCycles;
      else {
        decodeCycles += s.report.modeledCycles;
        decodeSteps++;
      }
    }
    const hz = this.clock.clockHz;
    const finishS = this.clock.finish(slot, prefillCycles + decodeCycles);
    return {
      arrivalS: slot.arrivalS,
      queueS: slot.queueS,
      ttftS: slot.queueS + prefillCycles / hz,
      prefillCycles,
      prefill: prefillCycles === 0 ? 'none' : (this.engine.lastPrefill ?? this.engine.prefillMode),
      decodeSteps,
      decodeCycles,
      decodeTokS: decodeSteps > 0 ? hz / (decodeCycles / decodeSteps) : null,
      serviceS: (prefillCycles + decodeCycles) / hz,
      finishS,
    };
  }
}
