"""The archive database: schema, engine, migrations and the store."""
