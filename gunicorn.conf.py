"""gunicorn's settings for the registry: gunicorn reads ``./gunicorn.conf.py`` when started from the
project folder (``gunicorn wsgi:app``), and the load test and benchmark start it there too.

Answers name no server software or version. gunicorn writes its own ``Server`` header on every
answer (``gunicorn`` in version 27; ``gunicorn/19.9.0`` in older ones) and offers no setting for it,
so the module globals it reads are set here, in the master, before the workers are forked.
(Werkzeug's development server, behind ``flask run``, sends ``Werkzeug/x.y Python/z``: it is for
development only.) ``tests/integration/test_server_header.py`` checks a running gunicorn.
"""

import gunicorn.http.wsgi

SERVER_NAME = "registry"

gunicorn.http.wsgi.SERVER = SERVER_NAME  # read by each response (Response.version)
gunicorn.http.wsgi.SERVER_SOFTWARE = SERVER_NAME  # the environ's SERVER_SOFTWARE, and the header in old versions
