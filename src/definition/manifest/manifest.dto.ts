import { Type } from 'class-transformer';
import {
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
  Min,
  ValidateNested,
} from 'class-validator';
import { CONFIG_FIELD_TYPES } from '../definition.interface.js';
import { NAME_PATTERN } from '../metadata.constants.js';

/*
 * The manifest shape, in the YAML's snake_case. Decorator metadata is mapped onto the same shape, so
 * both styles go through one validation.
 */

export class ModelDto {
  @IsString({ message: 'must be a non-empty string (every model needs a name)' })
  @IsNotEmpty({ message: 'must be a non-empty string (every model needs a name)' })
  name!: string;

  @IsOptional()
  @IsArray({ message: 'must be a list of strings' })
  @IsString({ each: true, message: 'must be a list of strings' })
  capabilities?: string[];

  @IsOptional()
  @IsInt({ message: 'must be a positive integer' })
  @Min(1, { message: 'must be a positive integer' })
  max_tokens?: number;

  @IsOptional()
  @IsNumber({}, { message: 'must be a number >= 0' })
  @Min(0, { message: 'must be a number >= 0' })
  cost_per_token?: number;

  @IsOptional()
  @IsArray({ message: 'must be a list of strings' })
  @IsString({ each: true, message: 'must be a list of strings' })
  aliases?: string[];

  @IsOptional()
  @IsNumber({}, { message: 'must be a number' })
  priority?: number;
}

export class ConfigFieldDto {
  @IsOptional()
  @IsIn(CONFIG_FIELD_TYPES, { message: `must be one of ${CONFIG_FIELD_TYPES.join(', ')}` })
  type?: string;

  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  required?: boolean;

  default?: unknown;

  @IsOptional()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be an environment variable name (letters, digits, _)' })
  env_var?: string;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  description?: string;

  @IsOptional()
  @IsNumber({}, { message: 'must be a number' })
  min?: number;

  @IsOptional()
  @IsNumber({}, { message: 'must be a number' })
  max?: number;

  @IsOptional()
  @IsArray({ message: 'must be a list of allowed values' })
  enum?: unknown[];

  @IsOptional()
  @IsString({ message: 'must be a regular expression in a string' })
  pattern?: string;

  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  secret?: boolean;
}

export class DependenciesDto {
  @IsOptional()
  @IsArray({ message: 'must be a list of npm package specifiers' })
  @IsString({ each: true, message: 'must be a list of npm package specifiers' })
  packages?: string[];

  @IsOptional()
  @IsArray({ message: 'must be a list of extension names' })
  @IsString({ each: true, message: 'must be a list of extension names' })
  extensions?: string[];
}

export class ServiceDto {
  @IsString({ message: 'must name the service class as module.ClassName, e.g. service.MyProviderService' })
  @IsNotEmpty({ message: 'must name the service class as module.ClassName, e.g. service.MyProviderService' })
  class_path!: string;
}

export class ManifestDto {
  @IsString({ message: 'is required: a lowercase name of letters, digits, - and _' })
  @Matches(NAME_PATTERN, { message: 'must be lowercase letters, digits, - and _ (no spaces or capitals), starting with a letter or digit' })
  name!: string;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  description?: string;

  @IsOptional()
  @IsString({ message: 'must be a semver version such as 1.0.0' })
  version?: string;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  author?: string;

  @IsOptional()
  @IsArray({ message: 'must be a list of models' })
  @ValidateNested({ each: true })
  @Type(() => ModelDto)
  models?: ModelDto[];

  @IsOptional()
  @IsArray({ message: 'must be a list of strings' })
  @IsString({ each: true, message: 'must be a list of strings' })
  capabilities?: string[];

  @IsOptional()
  @IsObject({ message: 'must be a mapping with packages and extensions lists' })
  @ValidateNested()
  @Type(() => DependenciesDto)
  dependencies?: DependenciesDto;

  /** Validated entry by entry: class-validator does not descend into record values. */
  @IsOptional()
  @IsObject({ message: 'must be a mapping of field name to field options' })
  config?: Record<string, unknown>;

  @IsOptional()
  @IsObject({ message: 'must be a mapping with class_path' })
  @ValidateNested()
  @Type(() => ServiceDto)
  service?: ServiceDto;
}

/** Keys a manifest may have at the top level and in a config entry, for did-you-mean on typos. */
export const MANIFEST_KEYS = [
  'name',
  'description',
  'version',
  'author',
  'models',
  'capabilities',
  'dependencies',
  'config',
  'service',
];
export const CONFIG_FIELD_KEYS = [
  'type',
  'required',
  'default',
  'env_var',
  'description',
  'min',
  'max',
  'enum',
  'pattern',
  'secret',
];
export const DEPENDENCIES_KEYS = ['packages', 'extensions'];
export const SERVICE_KEYS = ['class_path'];
