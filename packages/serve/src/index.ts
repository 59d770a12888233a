// Public API of the OpenAI-compatible server of the emulated wafer.
export { WaferServer, DEFAULT_SAMPLING, type ServeOptions } from './server.js';
export { ModeledServingClock, type ModeledSlot } from './serving-clock.js';
export { ChatFormatter, plainChatPrompt, PLAIN_CHAT_STOP, type ChatMessage } from './chat-prompt.js';
export { StopMatcher } from './stop-matcher.js';
export { GenerationQueue, JobCancelledError } from './generation-queue.js';
export type { GenerationOutcome, ModeledTimings, WallTimings, FinishReason } from './generation-run.js';
export type { SamplingDefaults } from './request-parse.js';
export { BODY_LIMIT_BYTES } from './error-reply.js';
