// Chrome Trace Event JSON (what ui.perfetto.dev and chrome://tracing open), written event by event to a sink
// through trace-event-lib's typed builder, so a trace of many runs never sits in memory whole.

import { closeSync, openSync, writeSync } from 'node:fs';
import { AbstractEventBuilder, type Completable, type Event } from 'trace-event-lib';

/** A flow event (v1: 's' starts an arrow on the sender's slice, 'f' ends it on the receiver's). */
export interface FlowEvent extends Event {
  ph: 's' | 'f';
  name: string;
  cat: string;
  id: number;
  bp?: 'e';
}

/** Receives the file's text in order. */
export interface TextSink {
  write(chunk: string): void;
  close(): void;
}

/** A file written in 1 MiB chunks. */
export class FileSink implements TextSink {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  write(chunk: string): void {
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size >= 1 << 20) this.flush();
  }
  private flush(): void {
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Collects the text in memory (tests, small traces). */
export class StringSink implements TextSink {
  text = '';
  write(chunk: string): void {
    this.text += chunk;
  }
  close(): void {}
}

/**
 * The JSON Object Format: `{"traceEvents": [...], "displayTimeUnit": "ns", "otherData": {...}}`. Every event
 * must carry its ts, pid and tid: the builder's defaults (wall clock, this process) would make traces differ
 * from run to run.
 */
export class TraceWriter extends AbstractEventBuilder {
  private count = 0;
  constructor(private readonly sink: TextSink) {
    super();
    sink.write('{"traceEvents":[');
  }

  /**
   * The builder's methods (complete, counter, metadata) shape each event per the format; every call here
   * passes ts, pid and tid, so its defaults (a spread of the event) and its removal of undefined fields (a
   * `delete` per field, which JSON.stringify makes unnecessary: it leaves undefined fields out) are skipped:
   * they took most of a trace's writing time.
   */
  protected override defaults<T extends Partial<Event>>(event: T): T & Pick<Event, 'ts' | 'pid' | 'tid'> {
    return event as T & Pick<Event, 'ts' | 'pid' | 'tid'>;
  }
  override event<T extends Event>(event: Completable<T>): void {
    this.send(event as Event);
  }

  protected send<T extends Event>(event: T): void {
    this.sink.write(`${this.count === 0 ? '\n' : ',\n'}${JSON.stringify(event)}`);
    this.count++;
  }

  /** Events written so far. */
  get events(): number {
    return this.count;
  }

  /** Names a process (a group of tracks) and sets its place in the list. */
  processInfo(pid: number, name: string, sortIndex: number): void {
    this.metadata({ name: 'process_name', pid, tid: 0, ts: 0, args: { name } });
    this.metadata({ name: 'process_sort_index', pid, tid: 0, ts: 0, args: { sort_index: sortIndex } });
  }

  /** Names a thread (one track of slices) and sets its place in its process. */
  threadInfo(pid: number, tid: number, name: string, sortIndex: number): void {
    this.metadata({ name: 'thread_name', pid, tid, ts: 0, args: { name } });
    this.metadata({ name: 'thread_sort_index', pid, tid, ts: 0, args: { sort_index: sortIndex } });
  }

  /** Ends the event list and writes the trace's metadata (`otherData`); closes the sink. */
  finish(otherData: Record<string, unknown>): void {
    this.sink.write(`\n],"displayTimeUnit":"ns","otherData":${JSON.stringify(otherData)}}\n`);
    this.sink.close();
  }
}

/** Rounds a time in µs to the picosecond: fine enough for cycles at any clock, and the same on every run. */
export function roundUs(us: number): number {
  return Math.round(us * 1e6) / 1e6;
}
