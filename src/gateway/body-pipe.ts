import { createParamDecorator, Injectable, type ArgumentMetadata, type ExecutionContext, type PipeTransform, type Type } from '@nestjs/common';
import { shapedBody } from './body-shape.js';
import { fastBodies, fastBody, type FastBody } from './fast-bodies.js';
import { validatedBody } from './request-validation.js';

/**
 * The gateway's request bodies, in one pipe. A body in the common shape (fast-bodies.ts) passes one
 * compiled check and keeps its known fields. Any other is shaped (unknown top-level fields dropped,
 * size and depth bounded), then an instance of the handler's DTO checked by class-validator, whose
 * first problem is the 400. JSON bodies only (configureGatewayApp parses nothing else), so none of
 * Nest's ValidationPipe steps for sparse arrays, binary values or primitives apply; `__proto__` and
 * `constructor` keys class-transformer never copies. Either way one synchronous pass, where Nest's
 * pipe took several and a promise.
 */
@Injectable()
export class GatewayBodyPipe implements PipeTransform {
  private readonly fast: ReadonlyMap<Function, FastBody> = fastBodies();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const metatype = metadata.metatype;
    if (metadata.type !== 'body' || typeof metatype !== 'function' || metatype === Object) return value;
    const fast = this.fast.get(metatype);
    return (fast && fastBody(fast, value)) ?? validatedBody(metatype as new () => object, shapedBody(value, metatype));
  }
}

let shared: GatewayBodyPipe | undefined;

/**
 * The request body as `dto`, checked by GatewayBodyPipe as the parameter is read: what `@Body()` with
 * the pipe gives, without Nest's pipe step (a chain of promises per request). A body that fails is the
 * same 400, through the same exception filters. Nest's ValidationPipe, if an app makes it global, leaves
 * a custom parameter like this one alone (`validateCustomDecorators` is off by default).
 */
export const GatewayBody = createParamDecorator((dto: Type<object>, context: ExecutionContext) => {
  shared ??= new GatewayBodyPipe();
  return shared.transform(context.switchToHttp().getRequest<{ body?: unknown }>().body, { type: 'body', metatype: dto });
});
