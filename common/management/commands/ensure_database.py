"""Create the PostgreSQL database named in DATABASE_URL when it does not exist yet (SQLite needs nothing)."""

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    """So that `DATABASE_URL=postgres://.../tracker make run` works on a fresh server."""

    help = "Create the configured PostgreSQL database if it is missing."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            return
        import psycopg2
        from psycopg2 import sql

        params = connection.get_connection_params()
        name = connection.settings_dict["NAME"]
        params["dbname"] = "postgres"
        conn = psycopg2.connect(**params)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    self.stdout.write(f"Created database {name}.")
        finally:
            conn.close()
