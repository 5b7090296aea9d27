import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import type { OpenAiErrorBody } from './http-errors.js';

const TYPE_CHECKS = ['isDefined', 'isString', 'isArray', 'isObject', 'isNumber', 'isInt', 'isBoolean', 'isIn'];

/** The first problem in a class-validator error tree, with its path (`messages[0].role`). */
function firstProblem(errors: ValidationError[], path = ''): { param: string; message: string } | undefined {
  for (const error of errors) {
    const key = /^\d+$/.test(error.property) ? `[${error.property}]` : path ? `.${error.property}` : error.property;
    const here = `${path}${key}`;
    const constraints = Object.entries(error.constraints ?? {});
    if (constraints.length) {
      // The type check first (`must be a string`), not a bound a missing value also fails (`must be
      // shorter than ...`); decorators apply bottom-up, so otherwise the last one is the first written.
      const first = (constraints.find(([name]) => TYPE_CHECKS.includes(name)) ?? constraints.at(-1)!)[1];
      // class-validator starts each message with the property's own name; say the whole path instead.
      const said = first.startsWith(`${error.property} `) ? first.slice(error.property.length + 1) : first;
      return { param: here, message: `Invalid '${here}': ${said}.` };
    }
    const deeper = firstProblem(error.children ?? [], here);
    if (deeper) return deeper;
  }
  return undefined;
}

/** A 400 in OpenAI's shape: the message and `param` name the field. */
export function invalidRequest(message: string, param: string | null = null): BadRequestException {
  const body: OpenAiErrorBody = { error: { message, type: 'invalid_request_error', param, code: null } };
  return new BadRequestException(body);
}

const VALIDATION: ValidatorOptions = { whitelist: true, forbidUnknownValues: true, validationError: { target: false, value: false } };

/**
 * The body as an instance of its DTO, checked by class-validator (synchronously: the DTOs have no
 * async rule): unknown fields are dropped, the first problem is a 400 that names its field, and the
 * value sent is never echoed back. Takes what shapedBody() returned: proto keys gone, size bounded.
 */
export function validatedBody<T extends object>(metatype: new () => T, body: unknown): T {
  // No body at all (a form the JSON parser skipped): checked as an empty one, so the 400 names what is missing.
  const value = body ?? {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('The request body must be a JSON object.');
  const instance = plainToInstance(metatype, value);
  const errors = validateSync(instance, VALIDATION);
  if (errors.length) {
    const problem = firstProblem(errors);
    throw invalidRequest(problem?.message ?? 'The request body must be a JSON object.', problem?.param ?? null);
  }
  return instance;
}
