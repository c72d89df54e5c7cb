import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - read after Django is set up

if settings.DEBUG:
    # DEBUG pages show settings and source to anyone who triggers an error: only `sihe serve --dev`.
    raise ImproperlyConfigured("SIHE_DEBUG=1 is for `sihe serve --dev` only, never for the web server")
