import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Db } from './database.js';

/**
 * Migrations live in the top-level `migrations/` folder. From `src/platform/db` (tsx, vitest) that
 * is ../../../migrations with .ts files; from the build (`dist/src/platform/db`) it is
 * dist/migrations with .js.
 */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'));
    const migrations: Record<string, Migration> = {};
    for (const file of files.sort()) {
      const name = file.replace(/\.(ts|js)$/, '');
      migrations[name] = (await import(pathToFileURL(path.join(this.dir, file)).href)) as Migration;
    }
    return migrations;
  }
}

/** Migrates to the latest migration, or (upgrade tests) up to the one named. */
export async function migrateToLatest(db: Db, upTo?: string): Promise<string[]> {
  // Name the schema explicitly: without it kysely takes a migration table in *any* schema of the
  // database for ours, and a second installation (or a parallel test run) in another schema breaks.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider(MIGRATIONS_DIR), migrationTableSchema: rows[0]!.schema });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
