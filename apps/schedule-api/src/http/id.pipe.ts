import { Injectable, type PipeTransform } from '@nestjs/common';
import { ValidationError } from '@scheduleman/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `:id` of any resource must be a UUID: a 400 naming `id`, rather than a database cast error. Normalised to lower case. */
@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value))
      throw new ValidationError(
        'id',
        `must be a UUID (got ${JSON.stringify(value.slice(0, 64))})`,
      );
    return value.toLowerCase();
  }
}
