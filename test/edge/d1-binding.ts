/**
 * A D1 binding that counts the statements run through it and can hold their results back, around the
 * real one: what the Worker and the store see is D1 itself, answering in an order a test chooses.
 */
export interface CountedD1 {
  binding: D1Database;
  /** Statements run, a batch counting each of its statements, by SQL text in order. */
  statements: string[];
  /** Statements run whose SQL matches `pattern`. */
  count(pattern: RegExp): number;
  /**
   * Holds back the result of the next statement that matches `pattern`: it runs on D1 at once, so it sees
   * the database as it is then, and `arrived` settles when its result is back; its caller gets that
   * result only once `release` is called.
   */
  hold(pattern: RegExp): { arrived: Promise<void>; release(): void };
}

interface Wrapped {
  inner: D1PreparedStatement;
  sql: string;
}

export function countedD1(db: D1Database): CountedD1 {
  const statements: string[] = [];
  const holds: { pattern: RegExp; arrived: () => void; gate: Promise<void> }[] = [];
  const held = async <T>(sql: string, result: Promise<T>): Promise<T> => {
    statements.push(sql);
    const at = holds.findIndex((h) => h.pattern.test(sql));
    if (at < 0) return result;
    const [hold] = holds.splice(at, 1);
    const value = await result;
    hold!.arrived();
    await hold!.gate;
    return value;
  };
  const statement = (inner: D1PreparedStatement, sql: string) => {
    const wrapped = {
      inner,
      sql,
      bind: (...params: unknown[]) => statement(inner.bind(...params), sql),
      all: () => held(sql, inner.all()),
      run: () => held(sql, inner.run()),
      first: (column?: string) => held(sql, column === undefined ? inner.first() : inner.first(column)),
      raw: () => held(sql, inner.raw()),
    };
    return wrapped;
  };
  const binding = {
    prepare: (sql: string) => statement(db.prepare(sql), sql),
    batch: (list: Wrapped[]) => {
      for (const s of list.slice(1)) statements.push(s.sql);
      return held(list[0]?.sql ?? "", db.batch(list.map((s) => s.inner)));
    },
    exec: (sql: string) => held(sql, db.exec(sql)),
  } as unknown as D1Database;
  return {
    binding,
    statements,
    count: (pattern) => statements.filter((sql) => pattern.test(sql)).length,
    hold(pattern) {
      let release!: () => void;
      let arrived!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const back = new Promise<void>((resolve) => (arrived = resolve));
      holds.push({ pattern, arrived, gate });
      return { arrived: back, release };
    },
  };
}
