import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/*
 * The shape of the gateway's access options: the same for `OpenAiGatewayModule.register({ access })`
 * and for a keys file (GATEWAY_KEYS_FILE, YAML or JSON). Checked with class-validator; every problem
 * names its field (`keys[2].rpm`).
 */

/** Limits of one key; `null` lifts a default for this key. */
export class AccessLimitsDto {
  /** Requests per minute (chat completions and embeddings). */
  @IsOptional() @IsInt() @Min(1) rpm?: number | null;
  /** Tokens per minute: prompt and completion, counted when each answer ends. */
  @IsOptional() @IsInt() @Min(1) tpm?: number | null;
  /** Spend per UTC day in USD: tokens x the answering model's `costPerToken`. */
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) dailyBudgetUsd?: number | null;
  /** Spend per UTC calendar month in USD. */
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) monthlyBudgetUsd?: number | null;
  /** Model names or wildcard patterns (`gpt-4o*`, `mock`) the key may ask for; unset: every model. */
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(512, { each: true }) models?: string[] | null;
}

export class AccessKeyDto extends AccessLimitsDto {
  /** Shown in logs and errors in place of the key; unique. Default: `key-` and 8 hex digits of the key's SHA-256. */
  @IsOptional() @IsString() @Matches(/^[\w.@:-]{1,64}$/, { message: 'name must be 1 to 64 letters, digits, _ . @ : or -' }) name?: string;
  /** The key clients send as `Authorization: Bearer <key>`: 16 to 512 printable characters. */
  @ValidateIf((k: AccessKeyDto) => k.key !== undefined)
  @IsString({ message: 'key must be a string' })
  @MinLength(16, { message: 'key must be at least 16 characters: a short key can be guessed' })
  @MaxLength(512)
  @Matches(/^[\x21-\x7e]+$/, { message: 'key must be printable ASCII without spaces (it travels in an HTTP header)' })
  key?: string;
  /** Instead of `key`: its SHA-256 as 64 hex digits (`printf %s "$KEY" | sha256sum`), so the file holds no key. */
  @IsOptional() @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hex digits: the SHA-256 of the key' }) sha256?: string;
}

export class AccessOptionsDto {
  /** The keys; none: the gateway is open (a warning at boot; refused in production unless allowAnonymous). */
  @IsOptional() @IsArray() @ArrayMaxSize(100_000) @ValidateNested({ each: true }) @Type(() => AccessKeyDto) @IsObject({ each: true }) keys?: AccessKeyDto[];
  /** Limits for every key that does not set its own. */
  @IsOptional() @ValidateNested() @Type(() => AccessLimitsDto) @IsObject() defaults?: AccessLimitsDto;
  /** With no keys and NODE_ENV=production, the gateway refuses to start unless this is true. */
  @IsOptional() @IsBoolean() allowAnonymous?: boolean;
  /** Further path prefixes that need a key (`extensions`, `models`, `metrics`); the gateway's own path always does. */
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @Matches(/^\/?[\w.~-]+(\/[\w.~-]+)*\/?$/, { each: true, message: 'each protected path must be a path such as "metrics" or "internal/extensions"' }) protectedPaths?: string[];
  /** Redis for counters shared by every replica, e.g. `redis://redis:6379/0`; unset: counters in memory. */
  @IsOptional() @IsString() @Matches(/^rediss?:\/\//, { message: 'redisUrl must start with redis:// or rediss://' }) redisUrl?: string;
  /** Time limit of one Redis call in ms (default 500); past it the call counts as Redis being down. */
  @IsOptional() @IsInt() @Min(1) redisTimeoutMs?: number;
  /** Prefix of the Redis keys (default `gleitzeit:limits`). */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) redisKeyPrefix?: string;
  /** When Redis cannot be reached: `memory` (default: serve on, each replica counting alone) or `refuse` (503). */
  @IsOptional() @IsIn(['memory', 'refuse']) onRedisDown?: 'memory' | 'refuse';
}

export const ACCESS_KEYS = ['keys', 'defaults', 'allowAnonymous', 'protectedPaths', 'redisUrl', 'redisTimeoutMs', 'redisKeyPrefix', 'onRedisDown'];
export const LIMIT_KEYS = ['rpm', 'tpm', 'dailyBudgetUsd', 'monthlyBudgetUsd', 'models'];
export const KEY_KEYS = ['name', 'key', 'sha256', ...LIMIT_KEYS];
