import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BaseExceptionFilter, type HttpAdapterHost } from '@nestjs/core';
import { ExtensionError } from '../errors/index.js';
import type { RouteAttempt } from '../provider/chat.interface.js';
import { accountingHeaders } from './accounting.js';
import { errorHeaders, errorType, extensionErrorBody, httpStatusOf, type OpenAiErrorBody } from './http-errors.js';
import { responseOf, sendJson } from './raw-response.js';

const logger = new Logger('Gateway');

/**
 * Answers every error of this library with the HTTP status of its code (`HTTP_STATUS_OF_CODE`; a
 * provider's status by `providerStatus()`) and OpenAI's error body. Use it on your own controllers:
 * `@UseFilters(ExtensionExceptionFilter)`, or `app.useGlobalFilters(new ExtensionExceptionFilter())`.
 */
@Catch(ExtensionError)
export class ExtensionExceptionFilter implements ExceptionFilter<ExtensionError> {
  catch(error: ExtensionError, host: ArgumentsHost): void {
    const status = httpStatusOf(error);
    if (status >= 500) logger.warn(`${status} ${error.code}: ${error.message}`);
    const attempts = (error as { attempts?: RouteAttempt[] }).attempts;
    sendJson(responseOf(host), status, extensionErrorBody(error, status), { ...errorHeaders(error), ...accountingHeaders(attempts) });
  }
}

/** The message of a Nest HttpException, whatever shape its response has. */
function httpMessage(exception: HttpException): string {
  const answer = exception.getResponse() as string | { message?: unknown };
  const message = typeof answer === 'string' ? answer : answer.message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
}

/**
 * Everything in OpenAI's error format, as the gateway answers: this library's errors as
 * ExtensionExceptionFilter does, Nest's HTTP exceptions with their status (an OpenAI-shaped body passes
 * as it is), anything else as a 500 that says no more than that (the cause is logged, not sent).
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly extensionErrors = new ExtensionExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof ExtensionError) return this.extensionErrors.catch(exception, host);
    const response = responseOf(host);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const answer = exception.getResponse() as Partial<OpenAiErrorBody>;
      const body = typeof answer?.error === 'object' && answer.error !== null ? (answer as OpenAiErrorBody) : { error: { message: httpMessage(exception), type: errorType(status), param: null, code: null } };
      return sendJson(response, status, body);
    }
    // Body-parser errors (a body too large, broken JSON) carry their status.
    const status = (exception as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendJson(response, status, { error: { message: (exception as Error).message, type: errorType(status), param: null, code: null } });
    }
    logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : 'A handler threw a value that is not an Error');
    sendJson(response, 500, { error: { message: 'The gateway failed to handle the request; the server log has the cause.', type: 'server_error', param: null, code: null } });
  }
}

/**
 * For app-wide use: requests under `prefix` (the gateway's path) get OpenAI's error format even when
 * they fail before a controller runs (broken JSON, a body too large, an unknown route under /v1); every
 * other request keeps Nest's default answer. The gateway app registers it:
 * `{ provide: APP_FILTER, useFactory: (host) => new OpenAiPathExceptionFilter('v1', host), inject: [HttpAdapterHost] }`.
 */
@Catch()
export class OpenAiPathExceptionFilter implements ExceptionFilter {
  private readonly openAi = new OpenAiExceptionFilter();
  private readonly prefix: string;
  private nestDefault?: BaseExceptionFilter;

  /** `adapterHost` is read when the first error comes: in a testing module the adapter is set after providers are built. */
  constructor(
    prefix: string,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.prefix = `/${prefix.replace(/^\/+|\/+$/g, '')}`;
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const url: unknown = host.getType() === 'http' ? host.switchToHttp().getRequest()?.url : undefined;
    const path = typeof url === 'string' ? url.split('?')[0] : '';
    if (path === this.prefix || path.startsWith(`${this.prefix}/`)) return this.openAi.catch(exception, host);
    this.nestDefault ??= new BaseExceptionFilter(this.adapterHost.httpAdapter);
    return this.nestDefault.catch(exception, host);
  }
}
