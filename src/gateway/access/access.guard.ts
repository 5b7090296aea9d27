import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { rawResponse } from '../raw-response.js';
import { ACCESS_CONTROL, ACCESS_KEY, AccessControl, type WithKey } from './access-control.js';

type KeyedRequest = WithKey & { headers: Record<string, unknown>; url?: string; originalUrl?: string };

/** Checks the key of an HTTP request (401 without a valid one) and leaves it on the request. */
function authenticate(access: AccessControl, context: ExecutionContext): true {
  const http = context.switchToHttp();
  const request = http.getRequest<KeyedRequest>();
  if (request[ACCESS_KEY]) return true;
  request[ACCESS_KEY] = access.authenticate(request.headers.authorization, rawResponse(http.getResponse()));
  return true;
}

/** On the gateway's controller: every route needs a key. Registered only when keys are configured. */
@Injectable()
export class GatewayKeyGuard implements CanActivate {
  constructor(@Inject(ACCESS_CONTROL) private readonly access: AccessControl) {}

  canActivate(context: ExecutionContext): boolean {
    return authenticate(this.access, context);
  }
}

/**
 * App-wide (APP_GUARD), for routes of other modules under `protectedPaths` (introspection, /metrics):
 * they need a key too; every other route, health probes included, stays open. Registered only when
 * keys and protected paths besides the gateway's are configured. Reusable for your own routes: list
 * their prefix in `access.protectedPaths`.
 */
@Injectable()
export class ProtectedPathsGuard implements CanActivate {
  constructor(@Inject(ACCESS_CONTROL) private readonly access: AccessControl) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const url = request.originalUrl ?? request.url;
    if (typeof url !== 'string' || !this.access.protects(url)) return true;
    return authenticate(this.access, context);
  }
}
