"""The database: tables, migrations, the repository (the only code issuing queries) and the job queue."""
