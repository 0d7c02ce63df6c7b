import {
  Allow,
  IsDefined,
  IsOptional,
  IsString,
  ValidateNested,
} from 'class-validator';
import { CreateScheduleBatchDto } from '../schedules/dto/create-schedule-batch.dto';
import { CreateScheduleDto } from '../schedules/dto/create-schedule.dto';
import { compileBodyCheck, compileDtoPrecheck } from './dto-precheck';
import { RequestValidationPipe } from './request-validation.pipe';

const pipe = new RequestValidationPipe();

async function pipeAccepts(
  metatype: new () => object,
  value: unknown,
): Promise<boolean> {
  try {
    await pipe.transform(value, { type: 'body', metatype, data: undefined });
    return true;
  } catch {
    return false;
  }
}

const item = {
  name: 'nightly',
  schedule: { type: 'cron', expression: '0 7 * * *' },
  trigger: { type: 'webhook', url: 'https://example.com/hook' },
};

/** Bodies the pipe accepts and bodies it refuses, each for a different rule. */
const ITEMS: unknown[] = [
  item,
  { ...item, name: null, owner: null, metadata: null },
  { ...item, owner: 'team-a', metadata: { a: [1, { b: 2 }] } },
  { ...item, misfirePolicy: 'skip', maxAttempts: 5 },
  { ...item, catchUpWindow: 'PT1H', resultTimeout: 'PT1M', silentAfter: 'x' },
  { ...item, name: 42 },
  { ...item, name: 'x'.repeat(201) },
  { ...item, name: '😀'.repeat(150) },
  { ...item, owner: ['a'] },
  { ...item, metadata: [1] },
  { ...item, metadata: 'text' },
  { ...item, misfirePolicy: 'sometimes' },
  { ...item, maxAttempts: 0 },
  { ...item, maxAttempts: 1.5 },
  { ...item, maxAttempts: '3' },
  { ...item, maxAttempts: 101 },
  { ...item, schedule: undefined },
  { ...item, trigger: null },
  { ...item, extra: true },
  { name: 'no schedule', trigger: item.trigger },
  [],
  'text',
  null,
  42,
];

describe('compileDtoPrecheck', () => {
  it('reads the rules of the batch body and of its items', () => {
    expect(compileDtoPrecheck(CreateScheduleDto)).toBeDefined();
    expect(compileDtoPrecheck(CreateScheduleBatchDto)).toBeDefined();
  });

  it('accepts an item exactly when the ValidationPipe does', async () => {
    const precheck = compileDtoPrecheck(CreateScheduleDto);
    for (const value of ITEMS) {
      const accepted = precheck?.(value);
      expect({ value, accepted }).toEqual({
        value,
        accepted: await pipeAccepts(CreateScheduleDto, value),
      });
    }
  });

  it('accepts a batch body exactly when the ValidationPipe does', async () => {
    const precheck = compileDtoPrecheck(CreateScheduleBatchDto);
    const bodies: unknown[] = [
      { schedules: [item] },
      { schedules: Array.from({ length: 1000 }, () => item) },
      { schedules: Array.from({ length: 1001 }, () => item) },
      { schedules: [] },
      { schedules: {} },
      { schedules: [item], other: 1 },
      {},
      [item],
    ];
    for (const value of bodies) {
      expect(precheck?.(value)).toBe(
        await pipeAccepts(CreateScheduleBatchDto, value),
      );
    }
  });

  it('leaves to the pipe a DTO with rules it cannot run', () => {
    class Inner {
      @IsString()
      name: string;
    }
    class Nested {
      @IsDefined()
      @ValidateNested()
      inner: Inner;
    }
    class Each {
      @IsOptional()
      @IsString({ each: true })
      tags?: string[];
    }
    class Unchecked {
      @Allow()
      anything?: unknown;
    }
    expect(compileDtoPrecheck(Nested)).toBeUndefined();
    expect(compileDtoPrecheck(Each)).toBeUndefined();
    expect(compileDtoPrecheck(Unchecked)?.({ anything: 1 })).toBe(true);
    expect(compileDtoPrecheck(Unchecked)?.({ other: 1 })).toBe(false);
  });
});

describe('compileBodyCheck', () => {
  const check = compileBodyCheck(CreateScheduleDto);
  const refusal = (error: unknown) =>
    error instanceof Error
      ? { type: error.constructor.name, message: error.message, error }
      : error;

  it('passes an accepted body on as it is, without the pipe copy', async () => {
    const body = { ...item, owner: 'team-a' };
    await expect(check(body)).resolves.toBe(body);
  });

  it("answers a refused body with the pipe's own error, word for word", async () => {
    for (const value of ITEMS) {
      const ours = await check(value).then(() => undefined, refusal);
      const theirs = await pipe
        .transform(value, {
          type: 'body',
          metatype: CreateScheduleDto,
          data: undefined,
        })
        .then(() => undefined, refusal);
      expect({ value, error: ours }).toEqual({ value, error: theirs });
    }
  });
});
