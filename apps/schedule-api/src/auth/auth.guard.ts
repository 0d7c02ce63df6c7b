import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ANONYMOUS_PRINCIPAL,
  bearerToken,
  ForbiddenError,
  type Principal,
  requireScope,
  RESULT_TOKEN_HEADER,
  type Scope,
  UnauthenticatedError,
} from '@scheduleman/domain';
import { ACCESS_METADATA, type RouteAccess } from '@scheduleman/runtime';
import { ApiKeysService } from './api-keys.service';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { type AuthenticatedRequest, SCOPE_METADATA } from './auth.decorators';
import { RATE_LIMITER, type RateLimiter } from './rate-limiter';

const RESULT_TOKEN_HEADER_LOWER = RESULT_TOKEN_HEADER.toLowerCase();

/**
 * Authentication and authorisation of every route, in one place (an APP_GUARD): the
 * route's declared access (RequireScope, PublicRoute, MetricsRoute), the Bearer key, the
 * key's request rate, then its scope. The rate is counted before the scope so that
 * refused requests (which cost a key lookup too) count. Sets `request.principal` for
 * CurrentPrincipal. Owner scoping is the use cases' part: they receive the principal.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(RATE_LIMITER) private readonly rateLimiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(
      ACCESS_METADATA,
      targets,
    );
    if (access === 'public') return true;
    if (access === 'metrics' && !this.settings.metricsRequireKey) return true;
    // A result token is checked by its route, before anything is read; no key is needed.
    if (
      access === 'result-token' &&
      !this.settings.disabled &&
      context.switchToHttp().getRequest<AuthenticatedRequest>().headers[
        RESULT_TOKEN_HEADER_LOWER
      ] !== undefined
    )
      return true;
    const scope: Scope | undefined =
      access === 'metrics'
        ? 'admin'
        : this.reflector.getAllAndOverride<Scope | undefined>(
            SCOPE_METADATA,
            targets,
          );
    if (scope === undefined) {
      this.logger.error({
        msg: 'a route declares no access (RequireScope, PublicRoute or MetricsRoute); refused',
        handler: `${context.getClass().name}.${context.getHandler().name}`,
      });
      throw new ForbiddenError('authorization', 'this route is not open');
    }
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request);
    const headers = this.rateLimiter.take(principal);
    const response = http.getResponse<{
      setHeader(name: string, value: string): void;
    }>();
    for (const [name, value] of Object.entries(headers))
      response.setHeader(name, value);
    requireScope(principal, scope);
    request.principal = principal;
    return true;
  }

  private authenticate(request: AuthenticatedRequest): Promise<Principal> {
    if (this.settings.disabled) return Promise.resolve(ANONYMOUS_PRINCIPAL);
    const header = request.headers.authorization;
    const token = bearerToken(typeof header === 'string' ? header : undefined);
    if (token === undefined)
      throw new UnauthenticatedError(
        header === undefined
          ? 'send the API key as "Authorization: Bearer <key>"'
          : 'the Authorization header must be "Bearer <key>"',
      );
    return this.keys.authenticate(token);
  }
}
