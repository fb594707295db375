import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gddt.settings")
application = get_wsgi_application()

from gddt.core.sqlite import sqlite_web_process_configure  # noqa: E402 - needs the settings loaded above

sqlite_web_process_configure()  # a request thread never runs a checkpoint: the worker does
