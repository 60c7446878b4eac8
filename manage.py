#!/usr/bin/env python
import os
import sys

# Offline tooling that never serves a request: it may load the settings without a SECRET_KEY (the
# settings default to DEBUG=0, which requires one for anything else).
TOOLING_COMMANDS = {"compilemessages", "makemessages", "makemigrations"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in TOOLING_COMMANDS and not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
