#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] != ["runserver"]:  # the development server is the web, and keeps the web's statement limit
        os.environ.setdefault("PROCESS_KIND", "command")  # see DB_STATEMENT_TIMEOUT_MS in config/settings.py
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
