import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
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
