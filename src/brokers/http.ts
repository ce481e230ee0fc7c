import type { ConnectionOptions } from 'node:tls';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { AuthError, MqctlError, NotFoundError, UnavailableError, UsageError } from '../cli/errors';

export interface HttpClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Sent as the Authorization header; never logged. */
  authorization?: string;
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

  async close(): Promise<void> {
    await this.dispatcher.close();
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
    if (this.options.authorization) headers.authorization = this.options.authorization;
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
    if (this.options.authorization) headers.authorization = this.options.authorization;
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
    const code = err.code ?? err.cause?.code ?? '';
    const reason = code || err.cause?.message || err.message;
    return new UnavailableError(`cannot reach ${where} (${reason})`, {
      hint: 'is the broker running and the URL right? (local brokers: npm run brokers:up)',
      cause: error,
    });
  }

  private statusError(status: number, text: string, req: HttpRequest): HttpError {
    const reason = extractReason(text) || `HTTP ${status}`;
    const subject = req.subject ? `${req.subject}: ` : '';
    const where = `${this.options.service} ${req.method ?? 'GET'} ${req.path}`;
    if (status === 401 || status === 403) {
      return new HttpError(
        `${subject}${where} refused: ${reason}`,
        new AuthError('').exitCode,
        status,
        text,
        'check the credentials or token',
      );
    }
    if (status === 404)
      return new HttpError(`${subject}not found (${reason})`, new NotFoundError('').exitCode, status, text);
    if (status === 400 || status === 409 || status === 412 || status === 422) {
      return new HttpError(`${subject}${reason}`, new UsageError('').exitCode, status, text);
    }
    if (status === 503 || status === 502 || status === 504) {
      return new HttpError(
        `${where}: service unavailable (${reason})`,
        new UnavailableError('').exitCode,
        status,
        text,
      );
    }
    return new HttpError(`${where} failed with HTTP ${status}: ${reason}`, 1, status, text);
  }
}

function extractReason(text: string): string {
  if (!text) return '';
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string; error?: string };
    return (parsed.reason ?? parsed.message ?? parsed.error ?? text).toString().slice(0, 300);
  } catch {
    return text
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300);
  }
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
