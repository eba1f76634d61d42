"""The only way to the disk: the journaled TinyDB engine, the store, backups, settings
and where files live."""
