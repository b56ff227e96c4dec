import { connect } from 'node:net';

export interface RawAnswer {
  /** The status of the first response line, or undefined when the server closed without answering. */
  status: number | undefined;
  /** Everything the server sent. */
  text: string;
  /** The body, when the answer has one. */
  body: string;
  /** Nothing (complete) came back within the time allowed. */
  timedOut: boolean;
  ms: number;
}

/**
 * Sends bytes as they are (a malformed request line, a lying Content-Length, a half-sent body) and
 * reads what comes back until the server closes or `timeoutMs` passes. Fetch cannot send such things.
 */
export function rawRequest(port: number, request: string | Buffer, { timeoutMs = 5000, endAfterWrite = false } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const started = performance.now();
    let timedOut = false;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      const at = text.indexOf('\r\n\r\n');
      resolve({
        status: status === undefined ? undefined : Number(status),
        text,
        body: at === -1 ? '' : text.slice(at + 4),
        timedOut,
        ms: performance.now() - started,
      });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, timeoutMs);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // One complete answer with a length: no need to wait for the close.
      const text = Buffer.concat(chunks).toString('utf8');
      const length = /\r\ncontent-length: *(\d+)/i.exec(text)?.[1];
      const at = text.indexOf('\r\n\r\n');
      if (length !== undefined && at !== -1 && Buffer.byteLength(text.slice(at + 4)) >= Number(length)) finish();
      // A protocol switched (a WebSocket accepted): the answer is its head; the socket stays open.
      else if (at !== -1 && /^HTTP\/1\.[01] 101 /.test(text)) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? finish() : reject(err)));
    socket.write(request, () => {
      if (endAfterWrite) socket.end();
    });
  });
}

/** A request as text, with `Host` and `Connection: close`, and a Content-Length for a body unless given. */
export function requestText(
  method: string,
  target: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  const named = Object.fromEntries(Object.keys(headers).map((k) => [k.toLowerCase(), k]));
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body !== undefined && named['content-length'] === undefined && named['transfer-encoding'] === undefined) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body === undefined ? Buffer.alloc(0) : Buffer.from(body)]);
}
