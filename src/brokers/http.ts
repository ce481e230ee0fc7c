import type { ConnectionOptions } from 'node:tls';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { ExitCode, MqctlError, UnavailableError } from '../core/errors';
import { tlsFailure } from './tls';

export interface HttpClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Sent as the Authorization header; never logged. */
  authorization?: string;
  /**
   * Sent with the Authorization header: Pulsar's `X-Pulsar-Auth-Method-Name`, without which the broker tries
   * every provider and, when all refuse the credentials, serves the request as its anonymous role.
   */
  authHeaders?: Record<string, string>;
  /** Name used in messages, e.g. "Pulsar admin API". */
  service: string;
  /** TLS options (CA, client certificate, verification) for https URLs. */
  tls?: ConnectionOptions;
}

export interface HttpRequest {
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Raw body (already serialised) and its content type. */
  rawBody?: string;
  contentType?: string;
  /** Treat 404 as "no such thing" and return undefined instead of throwing. */
  allow404?: boolean;
  /** What the request is about, for error messages ("topic persistent://public/default/x"). */
  subject?: string;
}

export interface HttpStatusRow {
  exit: number;
  hint?: string;
}

/**
 * HTTP statuses of the Pulsar admin API, the Pulsar WebSocket API and the RabbitMQ management API, and the
 * exit code each becomes. Any other status that is not 2xx is exit 1.
 */
export const HTTP_STATUSES: Readonly<Record<number, HttpStatusRow>> = {
  400: { exit: ExitCode.USAGE },
  401: {
    exit: ExitCode.AUTH,
    hint: 'check the user name and password (RabbitMQ) or the token (Pulsar)',
  },
  403: { exit: ExitCode.AUTH, hint: 'the user or token may not do this: check its permissions' },
  404: { exit: ExitCode.NOT_FOUND },
  409: { exit: ExitCode.USAGE },
  412: { exit: ExitCode.USAGE },
  422: { exit: ExitCode.USAGE },
  502: { exit: ExitCode.UNAVAILABLE },
  503: { exit: ExitCode.UNAVAILABLE },
  504: { exit: ExitCode.UNAVAILABLE },
};

/** The exit code and hint of an HTTP status (HTTP_STATUSES, else exit 1). */
export function httpStatusRow(status: number): HttpStatusRow {
  return HTTP_STATUSES[status] ?? { exit: ExitCode.FAILURE };
}

export class HttpError extends MqctlError {
  constructor(
    message: string,
    exitCode: number,
    readonly status: number,
    readonly body: string,
    hint?: string,
  ) {
    super(message, exitCode, { hint });
  }
}

/**
 * A small JSON-over-HTTP client on undici (Node's own HTTP engine), with a deadline on every request and HTTP
 * statuses mapped to mqctl's exit codes. Used for the Pulsar admin API and the RabbitMQ management API.
 */
export class HttpJsonClient {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: HttpClientOptions) {
    this.dispatcher = new Agent({
      connect: { timeout: options.timeoutMs, ...(options.tls ?? {}) },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 1000,
    });
  }

  /**
   * Ends the client. close() lets idle keep-alive sockets end gracefully, and the RabbitMQ management server
   * holds them half-open for seconds (measured: the process lingered 2.4 s after close()); nothing is pending
   * when mqctl closes, so the sockets are destroyed at once.
   */
  async close(): Promise<void> {
    await this.dispatcher.destroy();
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  url(path: string, query?: HttpRequest['query']): string {
    const url = new URL(
      path.replace(/^\//, ''),
      this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async request<T = unknown>(req: HttpRequest): Promise<T> {
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    this.addAuth(headers);
    let body: string | undefined;
    if (req.rawBody !== undefined) {
      body = req.rawBody;
      headers['content-type'] = req.contentType ?? 'text/plain';
    } else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    let status: number;
    let text: string;
    try {
      const response = await undiciRequest(url, {
        method: req.method ?? 'GET',
        headers,
        body,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw this.networkError(error);
    }
    if (status === 404 && req.allow404) return undefined as T;
    if (status < 200 || status >= 300) throw this.statusError(status, text, req);
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  /** A GET whose body is bytes and whose response headers matter (e.g. Pulsar's peek endpoints). */
  async getRaw(
    path: string,
    subject?: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const headers: Record<string, string> = {};
    this.addAuth(headers);
    let response;
    try {
      response = await undiciRequest(this.url(path), {
        method: 'GET',
        headers,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw this.networkError(error);
    }
    const body = Buffer.from(await response.body.arrayBuffer());
    if (response.statusCode < 200 || response.statusCode >= 300)
      throw this.statusError(response.statusCode, body.toString('utf8'), { path, subject });
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(response.headers))
      if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    return { status: response.statusCode, headers: flat, body };
  }

  private addAuth(headers: Record<string, string>): void {
    if (!this.options.authorization) return;
    headers.authorization = this.options.authorization;
    Object.assign(headers, this.options.authHeaders);
  }

  get<T = unknown>(path: string, query?: HttpRequest['query']): Promise<T> {
    return this.request<T>({ path, query });
  }

  private networkError(error: unknown): MqctlError {
    const err = error as Error & { code?: string; cause?: { code?: string; message?: string } };
    const where = `${this.options.service} at ${this.options.baseUrl}`;
    if (err.name === 'TimeoutError' || err.name === 'AbortError' || /TIMEOUT/.test(err.code ?? '')) {
      return new UnavailableError(`${where}: no answer within ${this.options.timeoutMs} ms`, {
        hint: 'is the broker running? check the URL, or raise --timeout',
      });
    }
    const tls = tlsFailure(error, where);
    if (tls) return tls;
    const code = err.code ?? err.cause?.code ?? '';
    const reason = code || err.cause?.message || err.message;
    return new UnavailableError(`cannot reach ${where} (${reason})`, {
      hint: 'is the broker running and the URL right? (the address comes from flags, MQCTL_* variables or the context: mqctl context list)',
      cause: error,
    });
  }

  private statusError(status: number, text: string, req: HttpRequest): HttpError {
    const reason = extractReason(text) || `HTTP ${status}`;
    const subject = req.subject ? `${req.subject}: ` : '';
    const where = `${this.options.service} ${req.method ?? 'GET'} ${req.path}`;
    const { exit, hint } = httpStatusRow(status);
    const message =
      exit === ExitCode.AUTH
        ? `${subject}${where} refused: ${reason}`
        : exit === ExitCode.NOT_FOUND
          ? `${subject}not found (${reason})`
          : exit === ExitCode.USAGE
            ? `${subject}${reason}`
            : exit === ExitCode.UNAVAILABLE
              ? `${where}: service unavailable (${reason})`
              : `${where} failed with HTTP ${status}: ${reason}`;
    return new HttpError(message, exit, status, text, hint);
  }
}

/**
 * The reason an error response gives, on one line: a JSON body's `reason`/`message`/`error`, a Jetty error
 * page's reason (Pulsar's admin API answers some errors that way, e.g. 409 and 422), and of Pulsar's
 * "unexpected error" bodies only their `Message:` line, not the Java stack trace that follows it.
 */
export function extractReason(text: string): string {
  if (!text) return '';
  let reason: string;
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string; error?: string };
    reason = (parsed.reason ?? parsed.message ?? parsed.error ?? text).toString();
  } catch {
    // Jetty's error pages: HTML with the reason as <title>, or (for Accept: application/json) a JSON-like
    // document whose "message" holds raw newlines, which JSON.parse refuses.
    const title = /<title>([\s\S]*?)<\/title>/i.exec(text)?.[1];
    const message = /"(?:message|reason)"\s*:\s*"([^"]*)"/.exec(text)?.[1];
    reason = decodeEntities(title ?? message ?? text.replace(/<[^>]+>/g, ' ')).replace(
      /^\s*Error \d{3}\s+/,
      '',
    );
  }
  const message = /^Message: (.*\S)/m.exec(reason)?.[1];
  const firstLine = (message ?? reason)
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0);
  return (firstLine ?? '').replace(/\s+/g, ' ').slice(0, 300);
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
