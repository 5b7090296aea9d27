import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_MODEL_NAME } from '../routing/model-router.js';
import { contentProblem, stopProblem, toolChoiceProblem } from './wire-checks.js';

/*
 * OpenAI's Chat Completions request, as the gateway accepts it. Fields it does not know are dropped
 * (clients send many: `frequency_penalty`, `logprobs`, `metadata`...); the ones it knows are checked,
 * and the first problem is a 400 naming the field.
 */

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

/** A class-validator rule from a function that says what is wrong, or nothing. */
export function Checked(name: string, problem: (value: unknown, object: object) => string | undefined): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value, args) => problem(value, args!.object) === undefined,
      defaultMessage: (args) => `${args!.property} ${problem(args!.value, args!.object) ?? 'is invalid'}`,
    },
  });
}

export class FunctionCallDto {
  @IsString() @IsNotEmpty() name!: string;
  @IsString() arguments!: string;
}

export class ToolCallDto {
  @IsString() @IsNotEmpty() id!: string;
  @IsIn(['function']) type!: 'function';
  @ValidateNested() @Type(() => FunctionCallDto) @IsObject() function!: FunctionCallDto;
}

export class ChatMessageDto {
  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` }) role!: (typeof ROLES)[number];
  @Checked('isMessageContent', contentProblem) content?: unknown;
  @IsOptional() @IsString() @MaxLength(256) name?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(128) @ValidateNested({ each: true }) @Type(() => ToolCallDto) tool_calls?: ToolCallDto[];
  @ValidateIf((m: ChatMessageDto) => m.role === 'tool' || m.tool_call_id !== undefined)
  @IsString({ message: 'tool_call_id is required on a tool message: the id of the call it answers' })
  tool_call_id?: string;
}

export class FunctionDefinitionDto {
  @IsString() @IsNotEmpty() @MaxLength(64) name!: string;
  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsObject() parameters?: Record<string, unknown>;
  @IsOptional() @IsBoolean() strict?: boolean;
}

export class ToolDto {
  @IsIn(['function'], { message: 'type must be "function": the only kind of tool chat models take' }) type!: 'function';
  @ValidateNested() @Type(() => FunctionDefinitionDto) @IsObject() function!: FunctionDefinitionDto;
}

export class JsonSchemaDto {
  @IsString() @IsNotEmpty() name!: string;
  @IsOptional() @IsString() description?: string;
  @IsOptional() @IsObject() schema?: Record<string, unknown>;
  @IsOptional() @IsBoolean() strict?: boolean;
}

export class ResponseFormatDto {
  @IsIn(['text', 'json_object', 'json_schema']) type!: 'text' | 'json_object' | 'json_schema';
  @ValidateIf((f: ResponseFormatDto) => f.type === 'json_schema') @ValidateNested() @Type(() => JsonSchemaDto) @IsObject() json_schema?: JsonSchemaDto;
}

export class StreamOptionsDto {
  @IsOptional() @IsBoolean() include_usage?: boolean;
}

export class ChatCompletionRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(MAX_MODEL_NAME) model!: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => ChatMessageDto) messages!: ChatMessageDto[];
  @IsOptional() @IsArray() @ArrayMaxSize(128) @ValidateNested({ each: true }) @Type(() => ToolDto) tools?: ToolDto[];
  @IsOptional() @Checked('isToolChoice', toolChoiceProblem) tool_choice?: unknown;
  @IsOptional() @ValidateNested() @Type(() => ResponseFormatDto) @IsObject() response_format?: ResponseFormatDto;
  @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1) top_p?: number;
  @IsOptional() @IsInt() @Min(1) max_tokens?: number;
  @IsOptional() @IsInt() @Min(1) max_completion_tokens?: number;
  @IsOptional() @Checked('isStop', stopProblem) stop?: string | string[];
  @IsOptional() @IsInt() seed?: number;
  @IsOptional() @IsString() @MaxLength(256) user?: string;
  @IsOptional() @IsBoolean() stream?: boolean;
  @IsOptional() @ValidateNested() @Type(() => StreamOptionsDto) @IsObject() stream_options?: StreamOptionsDto;
  @IsOptional() @IsInt() @Min(1) @Max(1, { message: 'n must be 1: the gateway answers with one choice' }) n?: number;
  /** Models to try when `model` fails, in order (the gateway's resilience); replaces the configured chain. */
  @IsOptional() @IsArray() @ArrayMaxSize(10) @IsString({ each: true }) @MaxLength(MAX_MODEL_NAME, { each: true }) fallbacks?: string[];
}

export class EmbeddingRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(MAX_MODEL_NAME) model!: string;
  @Checked('isEmbeddingInput', (value) =>
    typeof value === 'string' || (Array.isArray(value) && value.length > 0 && value.length <= 2048 && value.every((v) => typeof v === 'string'))
      ? undefined
      : 'must be a string or an array of 1 to 2048 strings (token arrays are not supported)',
  )
  input!: string | string[];
  @IsOptional() @IsInt() @Min(1) dimensions?: number;
  @IsOptional() @IsIn(['float', 'base64']) encoding_format?: 'float' | 'base64';
  @IsOptional() @IsString() @MaxLength(256) user?: string;
}
