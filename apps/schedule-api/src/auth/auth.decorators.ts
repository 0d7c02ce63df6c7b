import {
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import type { Principal, Scope } from '@scheduleman/domain';

export const SCOPE_METADATA = 'scheduleman:scope';

/**
 * The scope a route needs (docs/security.md). Every route of schedule-api declares one,
 * or is a PublicRoute/MetricsRoute: AuthGuard refuses a route that declares neither.
 */
export const RequireScope = (scope: Scope) =>
  SetMetadata(SCOPE_METADATA, scope);

/** The request's Principal, set by AuthGuard. */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const principal = context
      .switchToHttp()
      .getRequest<AuthenticatedRequest>().principal;
    if (!principal)
      throw new Error('unreachable: AuthGuard sets the principal');
    return principal;
  },
);
