import { HttpException } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { OpenAiErrorBody } from '../http-errors.js';
import type { KeyEntry } from './access.options.js';
import type { Admission } from './memory-limits.js';

/** A wait as OpenAI writes it in x-ratelimit-reset-*: `20ms`, `1s`, `6m0s`, `1h2m3.5s`. */
export function resetText(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = (whole % 60_000) / 1000;
  const s = `${Number(seconds.toFixed(3))}s`;
  return hours ? `${hours}h${minutes}m${s}` : minutes ? `${minutes}m${s}` : s;
}

/** OpenAI's rate-limit headers for a key's limits (only the limits it has). */
export function setRateLimitHeaders(response: ServerResponse, key: KeyEntry, admission: Admission): void {
  if (key.rpm) {
    response.setHeader('x-ratelimit-limit-requests', String(key.rpm));
    response.setHeader('x-ratelimit-remaining-requests', String(Math.max(0, key.rpm - admission.requests)));
    response.setHeader('x-ratelimit-reset-requests', resetText(admission.requestsResetMs));
  }
  if (key.tpm) {
    response.setHeader('x-ratelimit-limit-tokens', String(key.tpm));
    response.setHeader('x-ratelimit-remaining-tokens', String(Math.max(0, key.tpm - admission.tokens)));
    response.setHeader('x-ratelimit-reset-tokens', resetText(admission.tokensResetMs));
  }
}

const usd = (nano: number) => `$${(nano / 1e9).toFixed(2)}`;

/** The 429 for a refused admission, in OpenAI's format: `code` says which limit, `Retry-After` when it lifts. */
export function limitExceeded(response: ServerResponse, key: KeyEntry, admission: Admission): HttpException {
  const wait = admission.retryAfterMs;
  response.setHeader('retry-after', String(Math.max(1, Math.ceil(wait / 1000))));
  const again = `Try again in ${resetText(wait)}.`;
  let error: OpenAiErrorBody['error'];
  switch (admission.verdict) {
    case 'requests':
      error = { message: `Rate limit reached for key "${key.name}" on requests per minute (RPM): limit ${key.rpm}, used ${admission.requests}. ${again}`, type: 'requests', param: null, code: 'rate_limit_exceeded' };
      break;
    case 'tokens':
      error = { message: `Rate limit reached for key "${key.name}" on tokens per minute (TPM): limit ${key.tpm}, used ${admission.tokens}. ${again}`, type: 'tokens', param: null, code: 'rate_limit_exceeded' };
      break;
    default: {
      const daily = admission.verdict === 'daily_budget';
      const budget = daily ? key.dailyBudget : key.monthlyBudget;
      error = {
        message: `Key "${key.name}" has spent its ${daily ? 'daily' : 'monthly'} budget of ${usd(budget)} (UTC ${daily ? 'day' : 'month'}). It renews in ${resetText(wait)}.`,
        type: 'insufficient_quota',
        param: null,
        code: 'budget_exceeded',
      };
    }
  }
  return new HttpException({ error }, 429);
}

/** 401 in OpenAI's format; `WWW-Authenticate` says which scheme. Says nothing about the key sent. */
export function unauthorized(response: ServerResponse, presented: boolean): HttpException {
  response.setHeader('www-authenticate', 'Bearer');
  const message = presented
    ? 'The API key in the Authorization header is not valid for this gateway. Check the key (Authorization: Bearer <key>).'
    : 'No API key was sent. Send it in the Authorization header: Authorization: Bearer <key>.';
  return new HttpException({ error: { message, type: 'authentication_error', param: null, code: presented ? 'invalid_api_key' : 'missing_api_key' } }, 401);
}

/** 403: the key may not use this model. */
export function modelNotAllowed(key: KeyEntry, model: string, param: string): HttpException {
  const shown = model.length > 100 ? `${model.slice(0, 100)}...` : model;
  return new HttpException(
    { error: { message: `Key "${key.name}" may not use model "${shown}". It may use: ${key.models!.join(', ')}.`, type: 'permission_error', param, code: 'model_not_allowed' } },
    403,
  );
}
