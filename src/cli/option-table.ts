/**
 * Option tables: a library option type (SamplerOptions, ModelOptions) written as one row per
 * field, each row the flag that sets it on the command line. One function adds a table's flags to
 * a commander command; one reads the parsed flags back into the option object. Commands never map
 * flags to options by hand, so a flag one command accepts is accepted by every command that uses
 * the same table, and its name, help and parser are written once.
 */
import { Option, type Command } from 'commander';

interface RowText {
  /** commander flags, e.g. '-k, --k-neighbors <n>' (a switch has no <argument>). */
  readonly flags: string;
  readonly help: string;
}

/** A flag with a value: `parse` turns its text into the option's value; a bad value throws (exit 2, one line). */
interface ValueRow<T> extends RowText {
  readonly parse: (text: string) => T;
  readonly choices?: never;
  readonly default?: T;
}

/** A flag whose value is one of a few names (commander lists them in --help and in its error). */
interface ChoiceRow<T> extends RowText {
  readonly choices: readonly (T & string)[];
  readonly parse?: never;
  readonly default?: T;
}

/** A flag without a value: present sets the option to true. */
interface SwitchRow extends RowText {
  readonly switch: true;
  readonly parse?: never;
  readonly choices?: never;
}

/** The row for an option whose value type is T (only a boolean option may be a switch). */
export type OptionRow<T> = ValueRow<T> | ChoiceRow<T> | (T extends boolean ? SwitchRow : never);

/** One row per key of O, each typed by the key's value type (every key required). */
export type OptionTable<O> = { readonly [K in keyof O]-?: OptionRow<NonNullable<O[K]>> };

/** One row for some keys of O, each typed by the key's value type. */
export type PartialOptionTable<O> = { readonly [K in keyof O]?: OptionRow<NonNullable<O[K]>> };

/** What every row is, whatever its value type. */
export type AnyOptionRow = RowText & { readonly parse?: (text: string) => unknown; readonly choices?: readonly string[]; readonly default?: unknown };

function rowsOf(table: object): [string, AnyOptionRow][] {
  return Object.entries(table as Record<string, AnyOptionRow>);
}

/** The commander Option for a row. */
export function optionOf(r: AnyOptionRow): Option {
  const option = new Option(r.flags, r.help);
  if (r.choices) option.choices(r.choices);
  else if (r.parse) option.argParser(r.parse);
  if (r.default !== undefined) option.default(r.default);
  return option;
}

/** The key commander stores a row's parsed value under (e.g. '--near-miss-version' -> nearMissVersion). */
export function attributeOf(row: AnyOptionRow): string {
  return new Option(row.flags).attributeName();
}

/** Adds every row of `table` to `cmd`, in table order. */
export function addOptionRows(cmd: Command, table: object): Command {
  for (const [, row] of rowsOf(table)) cmd.addOption(optionOf(row));
  return cmd;
}

/** The option object the parsed `flags` give: each table key set from its row's flag, when given. */
export function readOptionRows<O>(table: object, flags: object): O {
  const given = flags as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, row] of rowsOf(table)) {
    const value = given[attributeOf(row)];
    if (value !== undefined) out[key] = value;
  }
  return out as O;
}
