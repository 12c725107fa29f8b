"""The progress database (db: schema, migrations, the one transaction helper), backups, the data
folder and safe file writes.
"""
