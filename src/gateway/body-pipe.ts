import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { shapedBody } from './body-shape.js';
import { validatedBody } from './request-validation.js';

/**
 * The gateway's request bodies, in one pipe: shaped (unknown top-level fields dropped, size and depth
 * bounded), then an instance of the handler's DTO checked by class-validator. JSON bodies only
 * (configureGatewayApp parses nothing else), so none of Nest's ValidationPipe steps for sparse arrays,
 * binary values or primitives apply; `__proto__` and `constructor` keys class-transformer never copies.
 * What is left costs one synchronous pass, where Nest's pipe took several and a promise.
 */
@Injectable()
export class GatewayBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const metatype = metadata.metatype;
    if (metadata.type !== 'body' || typeof metatype !== 'function' || metatype === Object) return value;
    return validatedBody(metatype as new () => object, shapedBody(value, metatype));
  }
}
