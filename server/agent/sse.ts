import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Server-Sent Events response held open: named events with JSON data, and a heartbeat. */
export interface EventStream {
  /** `event: <name>` + `data: <json>`; ignored once the stream is closed. */
  send(name: string, data: unknown): void;
  /** Ends the response and its connection (server shutting down); idempotent. */
  end(): void;
  /** Called once, when the stream ends for any reason (client gone, `end()`, write overflow). */
  onClose(listener: () => void): void;
  readonly closed: boolean;
}

export interface EventStreamOptions {
  /** A comment line (`: ping`) this often, so proxies and the browser keep the connection. */
  heartbeatMs?: number;
  /**
   * Bytes waiting to be sent to a stalled client beyond which the stream is dropped (it reconnects and
   * gets a fresh snapshot). Well above the size of a snapshot.
   */
  maxBufferedBytes?: number;
}

/**
 * Turns the response into an event stream: writes the headers at once and keeps the socket from
 * timing out. Event names must be plain words; data is JSON (never a raw newline, so one `data:` line).
 */
export function openEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  { heartbeatMs = 15_000, maxBufferedBytes = 16 * 1024 * 1024 }: EventStreamOptions = {},
): EventStream {
  let closed = false;
  const listeners: Array<() => void> = [];

  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  res.flushHeaders();

  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const listener of listeners.splice(0)) listener();
  };
  const write = (chunk: string) => {
    if (closed) return;
    res.write(chunk);
    if (res.writableLength > maxBufferedBytes) stream.end();
  };
  const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
  heartbeat.unref();
  res.once('close', finish);

  const stream: EventStream = {
    send(name, data) {
      write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (closed) return;
      finish();
      res.end();
      // The connection carried nothing else and would stay open (keep-alive): let it go.
      req.socket.end();
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
    get closed() {
      return closed;
    },
  };
  return stream;
}
